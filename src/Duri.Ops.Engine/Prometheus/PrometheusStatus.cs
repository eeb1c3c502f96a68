using System;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary><c>/api/v1/status/buildinfo</c>.</summary>
    public sealed class PrometheusBuildInfo
    {
        public string Version { get; internal set; } = string.Empty;

        public string Revision { get; internal set; } = string.Empty;

        public string Branch { get; internal set; } = string.Empty;

        public string BuildUser { get; internal set; } = string.Empty;

        public string BuildDate { get; internal set; } = string.Empty;

        public string GoVersion { get; internal set; } = string.Empty;

        public override string ToString() => Version;
    }

    /// <summary><c>/api/v1/status/runtimeinfo</c>: what a safe reload compares before and after.</summary>
    public sealed class PrometheusRuntimeInfo
    {
        public DateTimeOffset? StartTime { get; internal set; }

        public bool ReloadConfigSuccess { get; internal set; }

        public DateTimeOffset? LastConfigTime { get; internal set; }

        public long CorruptionCount { get; internal set; }

        public long GoroutineCount { get; internal set; }

        public string StorageRetention { get; internal set; } = string.Empty;
    }
}
