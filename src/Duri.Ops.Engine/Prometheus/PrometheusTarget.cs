using System;

namespace Duri.Ops.Engine.Prometheus
{
    public enum TargetHealth
    {
        Unknown,
        Up,
        Down,
    }

    /// <summary>An active scrape target as <c>/api/v1/targets</c> reports it.</summary>
    public sealed class PrometheusTarget
    {
        public string Job => Labels.TryGetValue("job", out var job) ? job : ScrapePool;

        public string Instance => Labels.TryGetValue("instance", out var instance) ? instance : string.Empty;

        public TargetHealth Health { get; internal set; }

        /// <summary>When the last scrape started; null before the first scrape.</summary>
        public DateTimeOffset? LastScrape { get; internal set; }

        public TimeSpan ScrapeDuration { get; internal set; }

        public string LastError { get; internal set; } = string.Empty;

        public string ScrapePool { get; internal set; } = string.Empty;

        public string ScrapeUrl { get; internal set; } = string.Empty;

        public string GlobalUrl { get; internal set; } = string.Empty;

        public TimeSpan? ScrapeInterval { get; internal set; }

        public TimeSpan? ScrapeTimeout { get; internal set; }

        public LabelSet Labels { get; internal set; } = LabelSet.Empty;

        public LabelSet DiscoveredLabels { get; internal set; } = LabelSet.Empty;

        public PrometheusConnection? Prometheus { get; internal set; }

        public override string ToString() => Job + " " + Instance + " " + Health;
    }
}
