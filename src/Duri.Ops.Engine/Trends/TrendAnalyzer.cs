using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Duri.Ops.Engine.Trends
{
    /// <summary>
    /// Decides whether a series is Rising, Falling or Flat. The decision is the two-sided Mann-Kendall test at the
    /// options' confidence (a rank test: no assumption of normal or independent-of-level noise, robust to outliers),
    /// with the direction from the sign of S, and a Theil-Sen slope of at least the minimum magnitude; a
    /// significant drift smaller than that is Flat. Non-finite values count as Missing and are never filled in.
    /// </summary>
    public static class TrendAnalyzer
    {
        /// <summary>The widest sparkline; longer series are shown as the mean of equal runs of points.</summary>
        public const int SparklineWidth = 40;

        private const string Blocks = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588";
        private static readonly double TicksPerMinute = TimeSpan.TicksPerMinute;
        private static readonly IComparer<TrendPoint> TimeOrder = Comparer<TrendPoint>.Create(Compare);

        public static TrendSummary Summarize(IReadOnlyList<TrendPoint> points, TrendOptions options)
        {
            if (points == null) throw new ArgumentNullException(nameof(points));
            if (options == null) throw new ArgumentNullException(nameof(options));
            string? problem = options.DescribeProblem();
            if (problem != null) throw new ArgumentException(problem, nameof(options));

            // Pooled: a day at 5 s is 17,280 points, whose arrays would otherwise land on the large object heap each time.
            int count = points.Count;
            var ordered = InTimeOrder(points);
            var summary = new TrendSummary
            {
                Confidence = options.Confidence,
                Threshold = options.Threshold,
                MinimumSlopePerMinute = options.MinimumSlopePerMinute,
                MinimumSamples = options.MinimumSamples,
            };
            if (count > 0)
            {
                summary.Start = ordered[0].Time;
                summary.End = ordered[count - 1].Time;
            }

            var x = ArrayPool<double>.Shared.Rent(count);
            var y = ArrayPool<double>.Shared.Rent(count);
            long originTicks = 0;
            int n = 0;
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            for (int i = 0; i < count; i++)
            {
                var point = ordered[i];
                if (!point.HasValue) continue;
                if (n == 0) originTicks = point.Time.UtcTicks;
                x[n] = (point.Time.UtcTicks - originTicks) / TicksPerMinute;
                y[n] = point.Value;
                if (point.Value < min) min = point.Value;
                if (point.Value > max) max = point.Value;
                n++;
            }
            summary.Samples = n;
            summary.Missing = count - n;
            if (n > 0)
            {
                summary.First = y[0];
                summary.Last = y[n - 1];
                summary.Min = min;
                summary.Max = max;
                summary.BelowThreshold = summary.Last <= options.Threshold;
            }
            summary.Sparkline = Sparkline(ordered, count, min, max);
            ArrayPool<TrendPoint>.Shared.Return(ordered);

            TrendStatistics.OrdinaryLeastSquares(x, y, n, out double olsSlope, out double olsError);
            summary.OlsSlopePerMinute = olsSlope;
            summary.OlsStandardError = olsError;
            summary.TheilSenSlopePerMinute = TrendStatistics.TheilSen(x, y, n, out bool exact);
            summary.TheilSenExact = exact;
            summary.MannKendall = TrendStatistics.MannKendall(x, y, n);
            ArrayPool<double>.Shared.Return(x);
            ArrayPool<double>.Shared.Return(y);
            Decide(summary, options);
            return summary;
        }

        private static void Decide(TrendSummary summary, TrendOptions options)
        {
            double alpha = 1 - options.Confidence;
            var test = summary.MannKendall;
            string p = test.PValue.ToString("G3", CultureInfo.InvariantCulture);
            string level = alpha.ToString("G3", CultureInfo.InvariantCulture);
            string slope = summary.TheilSenSlopePerMinute.ToString("G4", CultureInfo.InvariantCulture) + "/min";
            if (summary.Samples < options.MinimumSamples)
            {
                summary.Verdict = TrendVerdict.InsufficientData;
                summary.Reason = $"{summary.Samples} finite samples ({summary.Missing} missing); a verdict needs at least {options.MinimumSamples}.";
            }
            else if (!(test.PValue < alpha) || test.S == 0)
            {
                summary.Verdict = TrendVerdict.Flat;
                summary.Reason = $"No significant trend: Mann-Kendall p = {p}, not below {level}; Theil-Sen slope {slope}.";
            }
            else if (!(Math.Abs(summary.TheilSenSlopePerMinute) >= options.MinimumSlopePerMinute))
            {
                summary.Verdict = TrendVerdict.Flat;
                summary.Reason = $"A significant {(test.S > 0 ? "upward" : "downward")} drift (Mann-Kendall p = {p}) of {slope}, smaller than the minimum slope of {options.MinimumSlopePerMinute.ToString("G4", CultureInfo.InvariantCulture)}/min.";
            }
            else
            {
                summary.Verdict = test.S > 0 ? TrendVerdict.Rising : TrendVerdict.Falling;
                summary.Reason = $"{summary.Verdict}: Mann-Kendall p = {p} below {level}, Theil-Sen slope {slope}.";
            }
        }

        /// <summary>
        /// The points by time, equal times by value (which the Mann-Kendall count relies on), in a pooled array: one
        /// copy, so that the passes that follow read an array rather than call through the list's interface per point.
        /// Sorted only when not already in order, as a range query's answer is.
        /// </summary>
        private static TrendPoint[] InTimeOrder(IReadOnlyList<TrendPoint> points)
        {
            int count = points.Count;
            var ordered = ArrayPool<TrendPoint>.Shared.Rent(count);
            if (points is ICollection<TrendPoint> collection) collection.CopyTo(ordered, 0);
            else for (int i = 0; i < count; i++) ordered[i] = points[i];
            for (int i = 1; i < count; i++)
            {
                if (Compare(ordered[i - 1], ordered[i]) > 0)
                {
                    Array.Sort(ordered, 0, count, TimeOrder);
                    break;
                }
            }
            return ordered;
        }

        /// <summary>By time, then finite values ascending, non-finite values last (they take no part in the statistics).</summary>
        private static int Compare(TrendPoint a, TrendPoint b)
        {
            int byTime = a.Time.UtcTicks.CompareTo(b.Time.UtcTicks);
            if (byTime != 0) return byTime;
            if (a.HasValue != b.HasValue) return a.HasValue ? -1 : 1;
            return a.HasValue ? a.Value.CompareTo(b.Value) : 0;
        }

        private static string Sparkline(TrendPoint[] points, int count, double min, double max)
        {
            int width = Math.Min(count, SparklineWidth);
            var text = new StringBuilder(width);
            for (int column = 0; column < width; column++)
            {
                int from = (int)((long)column * count / width), to = (int)((long)(column + 1) * count / width);
                double sum = 0;
                int finite = 0;
                for (int i = from; i < to; i++)
                {
                    if (!points[i].HasValue) continue;
                    sum += points[i].Value;
                    finite++;
                }
                if (finite == 0)
                {
                    text.Append(' ');
                    continue;
                }
                int level = max > min ? (int)Math.Round((sum / finite - min) / (max - min) * (Blocks.Length - 1)) : Blocks.Length / 2 - 1;
                text.Append(Blocks[Math.Max(0, Math.Min(Blocks.Length - 1, level))]);
            }
            return text.ToString();
        }
    }
}
