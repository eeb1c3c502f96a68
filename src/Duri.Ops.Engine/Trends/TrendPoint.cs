using System;

namespace Duri.Ops.Engine.Trends
{
    /// <summary>One observation of a series: when, and its value (NaN or an infinity for a poll that gave no usable value).</summary>
    public readonly struct TrendPoint
    {
        public TrendPoint(DateTimeOffset time, double value)
        {
            Time = time;
            Value = value;
        }

        public DateTimeOffset Time { get; }

        public double Value { get; }

        /// <summary>A finite value that takes part in the statistics; anything else is counted as Missing.</summary>
        public bool HasValue => !double.IsNaN(Value) && !double.IsInfinity(Value);

        public override string ToString() => Time.UtcDateTime.ToString("o") + " " + Prometheus.PrometheusValue.Format(Value);
    }

    /// <summary>The direction a series took, as decided by <see cref="TrendAnalyzer.Summarize"/>.</summary>
    public enum TrendVerdict
    {
        /// <summary>A significant downward trend whose Theil-Sen slope is at least the minimum magnitude.</summary>
        Falling,
        /// <summary>No significant trend, or a significant one too small to matter.</summary>
        Flat,
        /// <summary>A significant upward trend whose Theil-Sen slope is at least the minimum magnitude.</summary>
        Rising,
        /// <summary>Fewer finite samples than the minimum: no decision either way.</summary>
        InsufficientData,
    }

    /// <summary>How a trend is decided.</summary>
    public sealed class TrendOptions
    {
        /// <summary>The default minimum number of finite samples for a verdict.</summary>
        public const int DefaultMinimumSamples = 10;

        /// <summary>
        /// Confidence of the two-sided Mann-Kendall test: a trend is significant when its p-value is below
        /// 1 - Confidence, so each direction alone is wrongly reported on pure noise about (1 - Confidence) / 2 of the time.
        /// </summary>
        public double Confidence { get; set; } = 0.95;

        /// <summary>
        /// The smallest Theil-Sen slope magnitude, in value units per minute, that counts as a trend; a significant
        /// but smaller drift is Flat. Default 0.001: a hundredth of the default threshold per minute.
        /// </summary>
        public double MinimumSlopePerMinute { get; set; } = 0.001;

        /// <summary>Fewer finite samples than this give <see cref="TrendVerdict.InsufficientData"/>; at least 3.</summary>
        public int MinimumSamples { get; set; } = DefaultMinimumSamples;

        /// <summary>The level the last value is compared with for <see cref="TrendSummary.BelowThreshold"/>.</summary>
        public double Threshold { get; set; } = 0.1;

        /// <summary>A sentence naming what is wrong with these options, or null when they are usable.</summary>
        public string? DescribeProblem()
        {
            if (double.IsNaN(Confidence) || Confidence <= 0 || Confidence >= 1)
                return $"The confidence must be between 0 and 1 (exclusive), such as 0.95; got {Confidence}.";
            if (double.IsNaN(MinimumSlopePerMinute) || double.IsInfinity(MinimumSlopePerMinute) || MinimumSlopePerMinute < 0)
                return $"The minimum slope per minute must be zero or a positive number; got {MinimumSlopePerMinute}.";
            if (MinimumSamples < 3)
                return $"The minimum number of samples must be at least 3; got {MinimumSamples}.";
            if (double.IsNaN(Threshold))
                return "The threshold must be a number, not NaN.";
            return null;
        }
    }
}
