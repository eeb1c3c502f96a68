using System;
using System.Collections.Generic;
using System.Linq;
using Duri.Ops.Engine.Trends;
using Xunit;

namespace Duri.Ops.Engine.Tests.Trend
{
    public class TrendAnalyzerTests
    {
        private static readonly DateTimeOffset Start = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

        internal static List<TrendPoint> Series(IEnumerable<double> values, double stepSeconds = 5) =>
            values.Select((v, i) => new TrendPoint(Start.AddSeconds(i * stepSeconds), v)).ToList();

        [Fact]
        public void Monotone_rising_and_falling_series_get_their_direction()
        {
            var rising = TrendAnalyzer.Summarize(Series(Enumerable.Range(0, 12).Select(i => 0.01 * i)), new TrendOptions());
            Assert.Equal(TrendVerdict.Rising, rising.Verdict);
            Assert.Equal(66, rising.MannKendall.S);
            Assert.Equal(1.0, rising.MannKendall.Tau, 12);
            Assert.Equal(0.12, rising.TheilSenSlopePerMinute, 10); // 0.01 per 5 s
            Assert.Equal(0.12, rising.OlsSlopePerMinute, 10);
            Assert.Equal(0, rising.OlsStandardError, 10);
            Assert.False(rising.Acceptable);

            var falling = TrendAnalyzer.Summarize(Series(Enumerable.Range(0, 12).Select(i => 0.5 - 0.01 * i)), new TrendOptions());
            Assert.Equal(TrendVerdict.Falling, falling.Verdict);
            Assert.Equal(-66, falling.MannKendall.S);
            Assert.False(falling.BelowThreshold);
            Assert.True(falling.Acceptable);
        }

        [Fact]
        public void A_constant_series_is_Flat_with_zero_slopes_and_p_of_one()
        {
            var summary = TrendAnalyzer.Summarize(Series(Enumerable.Repeat(0.07, 30)), new TrendOptions());
            Assert.Equal(TrendVerdict.Flat, summary.Verdict);
            Assert.Equal(0, summary.MannKendall.S);
            Assert.Equal(0, summary.MannKendall.Variance);
            Assert.Equal(1, summary.MannKendall.PValue);
            Assert.Equal(0, summary.TheilSenSlopePerMinute);
            Assert.Equal(0, summary.OlsSlopePerMinute);
            Assert.True(summary.BelowThreshold);
            Assert.True(summary.Acceptable);
            Assert.Equal(new string('\u2584', 30), summary.Sparkline);
        }

        [Fact]
        public void Fewer_samples_than_the_minimum_give_InsufficientData_even_when_steep()
        {
            var options = new TrendOptions { MinimumSamples = 10 };
            var summary = TrendAnalyzer.Summarize(Series(Enumerable.Range(0, 9).Select(i => (double)i)), options);
            Assert.Equal(TrendVerdict.InsufficientData, summary.Verdict);
            Assert.Equal(9, summary.Samples);
            Assert.Equal(36, summary.MannKendall.S);
            Assert.False(summary.Acceptable);
            Assert.Contains("at least 10", summary.Reason);

            var enough = TrendAnalyzer.Summarize(Series(Enumerable.Range(0, 10).Select(i => (double)i)), options);
            Assert.Equal(TrendVerdict.Rising, enough.Verdict);
        }

        [Fact]
        public void Missing_points_count_as_Missing_and_not_as_samples()
        {
            var values = Enumerable.Range(0, 20).Select(i => 0.2 - 0.005 * i).ToArray();
            values[3] = double.NaN;
            values[10] = double.PositiveInfinity;
            values[11] = double.NaN;
            var summary = TrendAnalyzer.Summarize(Series(values), new TrendOptions());
            var withoutGaps = TrendAnalyzer.Summarize(Series(values).Where(p => p.HasValue).ToList(), new TrendOptions());

            Assert.Equal(17, summary.Samples);
            Assert.Equal(3, summary.Missing);
            Assert.Equal(withoutGaps.MannKendall.S, summary.MannKendall.S);
            Assert.Equal(withoutGaps.TheilSenSlopePerMinute, summary.TheilSenSlopePerMinute);
            Assert.Equal(TrendVerdict.Falling, summary.Verdict);
            Assert.Equal(0.2, summary.First);
            Assert.Equal(0.2 - 0.005 * 19, summary.Last, 12);
            Assert.Equal(Start, summary.Start);
            Assert.Equal(Start.AddSeconds(95), summary.End);
            Assert.Equal(20, summary.Sparkline.Length);
            Assert.Equal(' ', summary.Sparkline[3]);
            Assert.Equal(' ', summary.Sparkline[10]);
            Assert.Equal('\u2588', summary.Sparkline[0]);
            Assert.Equal('\u2581', summary.Sparkline[19]);
        }

        [Fact]
        public void Only_missing_points_give_InsufficientData_and_NaN_statistics()
        {
            var summary = TrendAnalyzer.Summarize(Series(new[] { double.NaN, double.NaN, double.NegativeInfinity }), new TrendOptions());
            Assert.Equal(TrendVerdict.InsufficientData, summary.Verdict);
            Assert.Equal(0, summary.Samples);
            Assert.Equal(3, summary.Missing);
            Assert.True(double.IsNaN(summary.Last));
            Assert.True(double.IsNaN(summary.TheilSenSlopePerMinute));
            Assert.False(summary.BelowThreshold);
            Assert.Equal("   ", summary.Sparkline);

            var empty = TrendAnalyzer.Summarize(new List<TrendPoint>(), new TrendOptions());
            Assert.Equal(TrendVerdict.InsufficientData, empty.Verdict);
            Assert.Equal(string.Empty, empty.Sparkline);
            Assert.Null(empty.Start);
        }

        [Fact]
        public void A_significant_but_negligible_drift_is_Flat()
        {
            // 0.0001 per 5 s = 0.0012/min: significant (monotone) either way.
            var points = Series(Enumerable.Range(0, 40).Select(i => 0.05 + 0.0001 * i));
            var strict = TrendAnalyzer.Summarize(points, new TrendOptions { MinimumSlopePerMinute = 0.005 });
            Assert.Equal(TrendVerdict.Flat, strict.Verdict);
            Assert.True(strict.MannKendall.PValue < 0.001);
            Assert.Contains("smaller than the minimum slope", strict.Reason);

            var lenient = TrendAnalyzer.Summarize(points, new TrendOptions { MinimumSlopePerMinute = 0.001 });
            Assert.Equal(TrendVerdict.Rising, lenient.Verdict);
        }

        [Fact]
        public void Threshold_compares_the_last_value()
        {
            var points = Series(Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? 0.09 : 0.11));
            points.Add(new TrendPoint(Start.AddSeconds(100), 0.1));
            var summary = TrendAnalyzer.Summarize(points, new TrendOptions { Threshold = 0.1 });
            Assert.Equal(TrendVerdict.Flat, summary.Verdict);
            Assert.True(summary.BelowThreshold);
            Assert.True(summary.Acceptable);
            Assert.False(TrendAnalyzer.Summarize(points, new TrendOptions { Threshold = 0.0999 }).BelowThreshold);
        }

        [Fact]
        public void Points_out_of_time_order_give_the_same_summary_as_in_order()
        {
            var random = new Random(7);
            var points = Series(Enumerable.Range(0, 60).Select(i => 0.001 * i + random.NextDouble() * 0.02));
            var shuffled = points.OrderBy(_ => random.Next()).ToList();
            var ordered = TrendAnalyzer.Summarize(points, new TrendOptions());
            var fromShuffled = TrendAnalyzer.Summarize(shuffled, new TrendOptions());
            Assert.Equal(ordered.MannKendall.S, fromShuffled.MannKendall.S);
            Assert.Equal(ordered.TheilSenSlopePerMinute, fromShuffled.TheilSenSlopePerMinute);
            Assert.Equal(ordered.OlsSlopePerMinute, fromShuffled.OlsSlopePerMinute, 12);
            Assert.Equal(ordered.First, fromShuffled.First);
            Assert.Equal(ordered.Sparkline, fromShuffled.Sparkline);

            // An array is read in place, but one out of order is sorted in a copy: the caller's array stays as it was.
            var shuffledArray = shuffled.ToArray();
            var fromArray = TrendAnalyzer.Summarize(shuffledArray, new TrendOptions());
            Assert.Equal(shuffled, shuffledArray);
            Assert.Equal(ordered.MannKendall.S, fromArray.MannKendall.S);
            Assert.Equal(ordered.Sparkline, fromArray.Sparkline);
        }

        [Theory]
        [InlineData(1.0)]
        [InlineData(0.0)]
        [InlineData(double.NaN)]
        public void A_confidence_outside_zero_to_one_is_refused(double confidence)
        {
            var e = Assert.Throws<ArgumentException>(() => TrendAnalyzer.Summarize(Series(new[] { 1.0 }), new TrendOptions { Confidence = confidence }));
            Assert.Contains("confidence", e.Message);
        }

        [Fact]
        public void Minimum_samples_below_three_and_negative_slopes_are_refused()
        {
            Assert.Throws<ArgumentException>(() => TrendAnalyzer.Summarize(Series(new[] { 1.0 }), new TrendOptions { MinimumSamples = 2 }));
            Assert.Throws<ArgumentException>(() => TrendAnalyzer.Summarize(Series(new[] { 1.0 }), new TrendOptions { MinimumSlopePerMinute = -1 }));
        }

        [Fact]
        public void The_sparkline_is_at_most_40_wide_and_spans_the_blocks()
        {
            var summary = TrendAnalyzer.Summarize(Series(Enumerable.Range(0, 1000).Select(i => (double)i)), new TrendOptions());
            Assert.Equal(TrendAnalyzer.SparklineWidth, summary.Sparkline.Length);
            Assert.Equal('\u2581', summary.Sparkline[0]);
            Assert.Equal('\u2588', summary.Sparkline[39]);
            Assert.True(summary.Sparkline.Zip(summary.Sparkline.Skip(1), (a, b) => a <= b).All(x => x));
        }
    }
}
