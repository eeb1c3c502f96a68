using System;

namespace Duri.Ops.Engine.Sandbox
{
    public enum SandboxFailure
    {
        /// <summary>prometheus or node_exporter is not installed.</summary>
        BinaryMissing,
        /// <summary>The directory given for the sandbox exists and is not empty.</summary>
        PathInUse,
        /// <summary>A rule file to load does not exist.</summary>
        RuleFileMissing,
        /// <summary>A process exited, or Prometheus did not become ready and scrape node_exporter in time.</summary>
        StartFailed,
    }

    public sealed class SandboxException : Exception
    {
        public SandboxException(SandboxFailure failure, string message, Exception? inner = null)
            : base(message, inner)
        {
            Failure = failure;
        }

        public SandboxFailure Failure { get; }

        /// <summary>The binary, path or sandbox the failure is about.</summary>
        public object? Target { get; set; }
    }
}
