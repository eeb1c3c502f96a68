using System;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Trends
{
    /// <summary>What a series did over a window: its extent, three slope estimates, the Mann-Kendall test and a verdict.</summary>
    public sealed class TrendSummary
    {
        /// <summary>Finite values, the ones every statistic is computed from.</summary>
        public int Samples { get; internal set; }

        /// <summary>Points without a finite value (no series, several series, NaN, an infinity, a failed poll); never filled in.</summary>
        public int Missing { get; internal set; }

        /// <summary>The first finite value; NaN when there is none.</summary>
        public double First { get; internal set; } = double.NaN;

        /// <summary>The last finite value; NaN when there is none.</summary>
        public double Last { get; internal set; } = double.NaN;

        public double Min { get; internal set; } = double.NaN;

        public double Max { get; internal set; } = double.NaN;

        /// <summary>The time of the first point, finite or not.</summary>
        public DateTimeOffset? Start { get; internal set; }

        /// <summary>The time of the last point, finite or not.</summary>
        public DateTimeOffset? End { get; internal set; }

        public TimeSpan Duration => Start.HasValue && End.HasValue ? End.Value - Start.Value : TimeSpan.Zero;

        /// <summary>The least-squares slope in value units per minute; NaN with fewer than two distinct times.</summary>
        public double OlsSlopePerMinute { get; internal set; } = double.NaN;

        /// <summary>The standard error of <see cref="OlsSlopePerMinute"/>; NaN with fewer than three samples.</summary>
        public double OlsStandardError { get; internal set; } = double.NaN;

        /// <summary>The median of the pairwise slopes, per minute: robust to outliers, the magnitude the verdict uses.</summary>
        public double TheilSenSlopePerMinute { get; internal set; } = double.NaN;

        /// <summary>False when the Theil-Sen slope comes from sampled pairs (above 250,000 pairs, about 708 samples).</summary>
        public bool TheilSenExact { get; internal set; } = true;

        public MannKendallResult MannKendall { get; internal set; } = new MannKendallResult(0, double.NaN, 0, 0, 1);

        public TrendVerdict Verdict { get; internal set; } = TrendVerdict.InsufficientData;

        /// <summary>Why the verdict is what it is, in words.</summary>
        public string Reason { get; internal set; } = string.Empty;

        /// <summary>True when the last finite value is at or below <see cref="Threshold"/>; false when there is none.</summary>
        public bool BelowThreshold { get; internal set; }

        /// <summary>The runbook's condition: Falling, or Flat at or below the threshold. Never true without a verdict.</summary>
        public bool Acceptable => Verdict == TrendVerdict.Falling || (Verdict == TrendVerdict.Flat && BelowThreshold);

        /// <summary>The values in time order as block characters, at most 40 wide; a space where there was no value.</summary>
        public string Sparkline { get; internal set; } = string.Empty;

        public double Confidence { get; internal set; }

        public double Threshold { get; internal set; }

        public double MinimumSlopePerMinute { get; internal set; }

        public int MinimumSamples { get; internal set; }

        /// <summary>Polls or queries that failed (server unreachable, error answer); each is also one Missing point.</summary>
        public int FailedPolls { get; set; }

        /// <summary>The query the points came from.</summary>
        public string Query { get; set; } = string.Empty;

        /// <summary>The server the points came from, so that the summary pipes into the next querying cmdlet.</summary>
        public PrometheusConnection? Prometheus { get; set; }

        public override string ToString() => FormattableString.Invariant($"{Verdict} over {Samples} samples ({Missing} missing): Theil-Sen {TheilSenSlopePerMinute:G4}/min, p={MannKendall.PValue:G3}");
    }
}
