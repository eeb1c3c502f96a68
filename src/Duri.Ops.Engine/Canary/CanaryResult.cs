using System;
using System.Collections.Generic;

namespace Duri.Ops.Engine.Canary
{
    /// <summary>What a canary sampling run saw, so far (while running) or in all (at the end or when stopped).</summary>
    public sealed class CanaryResult
    {
        /// <summary>What was sampled: the URI, or "script block".</summary>
        public string Target { get; internal set; } = string.Empty;

        /// <summary>The metric_realm label of the published metrics.</summary>
        public string Realm { get; internal set; } = string.Empty;

        /// <summary>Samples that got a successful answer; failures are not samples.</summary>
        public long Samples { get; internal set; }

        /// <summary>Distinct fingerprints (SHA-256) among the samples.</summary>
        public long Unique { get; internal set; }

        /// <summary>Unique / Samples; NaN when there is no sample.</summary>
        public double UniqueRatio => Samples == 0 ? double.NaN : (double)Unique / Samples;

        /// <summary>Timeouts, HTTP status 400 and above, transport errors and script errors.</summary>
        public long Failures { get; internal set; }

        /// <summary>Failures counted by reason ("timeout", "HTTP 500", "transport error", "script error").</summary>
        public IReadOnlyDictionary<string, long> FailureReasons { get; internal set; } = new Dictionary<string, long>();

        /// <summary>What the last failure was, in words; empty when there was none.</summary>
        public string LastFailure { get; internal set; } = string.Empty;

        /// <summary>Samples the rate and duration call for.</summary>
        public long Planned { get; internal set; }

        /// <summary>Samples started. Fewer than Planned when the target was too slow for the rate at the concurrency, or the run was stopped.</summary>
        public long Sent { get; internal set; }

        /// <summary>Samples per second asked for.</summary>
        public double Rate { get; internal set; }

        public int Concurrency { get; internal set; }

        /// <summary>The limit for one sample.</summary>
        public TimeSpan Timeout { get; internal set; }

        /// <summary>The duration asked for.</summary>
        public TimeSpan RequestedDuration { get; internal set; }

        /// <summary>How long the run took so far (including waiting for the last answers).</summary>
        public TimeSpan Duration { get; internal set; }

        public DateTimeOffset StartedAt { get; internal set; }

        /// <summary>False while running and when the run was stopped before its end.</summary>
        public bool Completed { get; internal set; }

        public long MinimumSamples { get; internal set; }

        public double MinimumUniqueRatio { get; internal set; }

        /// <summary>At least MinimumSamples samples and a UniqueRatio of at least MinimumUniqueRatio.</summary>
        public bool QuorumMet => CanaryQuorum.DescribeShortfall(Samples, UniqueRatio, MinimumSamples, MinimumUniqueRatio) == null;

        /// <summary>The textfile the metrics were published to; empty when they were not published.</summary>
        public string Path { get; internal set; } = string.Empty;

        public override string ToString() =>
            $"{Target}: {Samples} samples, {Unique} unique ({Prometheus.PrometheusValue.FormatForDisplay(UniqueRatio)}), {Failures} failures" + (Completed ? string.Empty : " (partial)");
    }
}
