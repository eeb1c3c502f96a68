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
            var x = ArrayPool<double>.Shared.Rent(count);
            var y = ArrayPool<double>.Shared.Rent(count);
            // An array is read as it is; other lists are copied into a pooled array once, because reading them
            // through the interface point by point costs more than the copy.
            TrendPoint[]? copy = null;
            if (!(points is TrendPoint[] array)) array = copy = Copy(points);
            var collected = new Collected();
            if (!Collect(array, count, x, y, collected))
            {
                // Rare (a range query's answer is in order): sort a copy, never the caller's array, and collect again.
                copy ??= Copy(points);
                Array.Sort(copy, 0, count, TimeOrder);
                collected = new Collected();
                Collect(copy, count, x, y, collected);
            }
            if (copy != null) ArrayPool<TrendPoint>.Shared.Return(copy);
            int n = collected.Samples;
            var summary = new TrendSummary
            {
                Confidence = options.Confidence,
                Threshold = options.Threshold,
                MinimumSlopePerMinute = options.MinimumSlopePerMinute,
                MinimumSamples = options.MinimumSamples,
                Samples = n,
                Missing = count - n,
                Sparkline = collected.Sparkline(),
            };
            if (count > 0)
            {
                summary.Start = collected.Start;
                summary.End = collected.End;
            }
            if (n > 0)
            {
                summary.First = y[0];
                summary.Last = y[n - 1];
                summary.Min = collected.Min;
                summary.Max = collected.Max;
                summary.BelowThreshold = summary.Last <= options.Threshold;
            }

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
        /// One pass over the points in time order (equal times by value, which the Mann-Kendall count relies on): the
        /// finite values and their minutes since the first into x and y, the extremes, and the sparkline's column sums.
        /// False, having stopped, at the first point out of that order.
        /// </summary>
        private static bool Collect(TrendPoint[] points, int count, double[] x, double[] y, Collected collected)
        {
            int columns = Math.Min(count, SparklineWidth), n = 0, i = 0;
            long originTicks = 0, previousTicks = long.MinValue;
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            TrendPoint previous = default;
            for (int column = 0; column < columns; column++)
            {
                // The column's sum in locals: adding to the array element would chain every point through memory.
                double sum = 0;
                int samples = 0;
                for (int end = (int)((long)(column + 1) * count / columns); i < end; i++)
                {
                    var point = points[i];
                    long ticks = point.Time.UtcTicks;
                    if (ticks < previousTicks || (ticks == previousTicks && Compare(previous, point) > 0)) return false;
                    previous = point;
                    previousTicks = ticks;
                    if (!point.HasValue) continue;
                    if (n == 0) originTicks = ticks;
                    double value = point.Value;
                    x[n] = (ticks - originTicks) / TicksPerMinute;
                    y[n] = value;
                    if (value < min) min = value;
                    if (value > max) max = value;
                    sum += value;
                    samples++;
                    n++;
                }
                collected.ColumnSums[column] = sum;
                collected.ColumnSamples[column] = samples;
            }
            collected.Columns = columns;
            collected.Samples = n;
            collected.Min = min;
            collected.Max = max;
            if (count > 0)
            {
                collected.Start = points[0].Time;
                collected.End = previous.Time;
            }
            return true;
        }

        private static TrendPoint[] Copy(IReadOnlyList<TrendPoint> points)
        {
            var copy = ArrayPool<TrendPoint>.Shared.Rent(points.Count);
            if (points is ICollection<TrendPoint> collection) collection.CopyTo(copy, 0);
            else for (int i = 0; i < points.Count; i++) copy[i] = points[i];
            return copy;
        }

        /// <summary>What <see cref="Collect"/> gathers besides x and y.</summary>
        private sealed class Collected
        {
            public int Samples;
            public double Min = double.PositiveInfinity;
            public double Max = double.NegativeInfinity;
            public DateTimeOffset Start;
            public DateTimeOffset End;

            /// <summary>The sparkline's width: one column per point up to <see cref="SparklineWidth"/>, then the mean of equal runs.</summary>
            public int Columns;
            public readonly double[] ColumnSums = new double[SparklineWidth];
            public readonly int[] ColumnSamples = new int[SparklineWidth];

            /// <summary>A column of no finite value is blank; a flat series sits mid-height.</summary>
            public string Sparkline()
            {
                var text = new StringBuilder(Columns);
                for (int column = 0; column < Columns; column++)
                {
                    if (ColumnSamples[column] == 0)
                    {
                        text.Append(' ');
                        continue;
                    }
                    double mean = ColumnSums[column] / ColumnSamples[column];
                    int level = Max > Min ? (int)Math.Round((mean - Min) / (Max - Min) * (Blocks.Length - 1)) : Blocks.Length / 2 - 1;
                    text.Append(Blocks[Math.Max(0, Math.Min(Blocks.Length - 1, level))]);
                }
                return text.ToString();
            }
        }

        /// <summary>By time, then finite values ascending, non-finite values last (they take no part in the statistics).</summary>
        private static int Compare(TrendPoint a, TrendPoint b)
        {
            int byTime = a.Time.UtcTicks.CompareTo(b.Time.UtcTicks);
            if (byTime != 0) return byTime;
            if (a.HasValue != b.HasValue) return a.HasValue ? -1 : 1;
            return a.HasValue ? a.Value.CompareTo(b.Value) : 0;
        }
    }
}
