using System;
using System.Collections.Generic;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>A loaded rule group as <c>/api/v1/rules</c> reports it.</summary>
    public sealed class PrometheusRuleGroup
    {
        public string Name { get; internal set; } = string.Empty;

        public string File { get; internal set; } = string.Empty;

        public TimeSpan Interval { get; internal set; }

        public IReadOnlyList<PrometheusRule> Rules { get; internal set; } = Array.Empty<PrometheusRule>();

        public DateTimeOffset? LastEvaluation { get; internal set; }

        public TimeSpan EvaluationTime { get; internal set; }

        public override string ToString() => File + ": " + Name;
    }

    /// <summary>One recording or alerting rule, with its evaluation health.</summary>
    public sealed class PrometheusRule
    {
        /// <summary>"recording" or "alerting".</summary>
        public string Type { get; internal set; } = string.Empty;

        public string Name { get; internal set; } = string.Empty;

        public string Query { get; internal set; } = string.Empty;

        /// <summary>"ok", "err" or "unknown" (not evaluated yet).</summary>
        public string Health { get; internal set; } = string.Empty;

        public string LastError { get; internal set; } = string.Empty;

        public DateTimeOffset? LastEvaluation { get; internal set; }

        public TimeSpan EvaluationTime { get; internal set; }

        /// <summary>Alerting rules only: "inactive", "pending" or "firing".</summary>
        public string State { get; internal set; } = string.Empty;

        /// <summary>Alerting rules only: the <c>for</c> duration.</summary>
        public TimeSpan Duration { get; internal set; }

        public LabelSet Labels { get; internal set; } = LabelSet.Empty;

        public LabelSet Annotations { get; internal set; } = LabelSet.Empty;

        public override string ToString() => Type + " " + Name;
    }
}
