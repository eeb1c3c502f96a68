using System;
using System.Linq;
using Duri.Ops.Engine.Trends;
using Xunit;

namespace Duri.Ops.Engine.Tests.Trend
{
    public class TrendStatisticsTests
    {
        [Theory]
        [InlineData(1)]
        [InlineData(31)]
        [InlineData(32)]
        [InlineData(33)]
        [InlineData(100)]
        [InlineData(1000)]
        [InlineData(4097)]
        public void Merge_sort_counts_the_strict_inversions_a_brute_force_count_finds(int n)
        {
            var random = new Random(n);
            // Few distinct values, so that ties are common: equal values are not inversions.
            var values = Enumerable.Range(0, n).Select(_ => (double)random.Next(0, 20)).ToArray();
            long brute = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = i + 1; j < n; j++)
                {
                    if (values[i] > values[j]) brute++;
                }
            }
            var sorted = (double[])values.Clone();
            long counted = TrendStatistics.SortCountingInversions(sorted, new double[n], n);
            Assert.Equal(brute, counted);
            Assert.Equal(values.OrderBy(v => v), sorted);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Inversions_of_distinct_values_are_counted_exactly_with_and_without_a_far_outlier(bool farOutlier)
        {
            const int n = 3000;
            var random = new Random(farOutlier ? 11 : 12);
            // Without the outlier the buckets hold a few values each; with it nearly all values share the first bucket.
            var values = Enumerable.Range(0, n).Select(i => 0.999 + random.NextDouble() * 0.001).ToArray();
            if (farOutlier) values[n / 3] = 1e12;
            long brute = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = i + 1; j < n; j++)
                {
                    if (values[i] > values[j]) brute++;
                }
            }
            var sorted = (double[])values.Clone();
            Assert.Equal(brute, TrendStatistics.SortCountingInversions(sorted, new double[n], n));
            Assert.Equal(values.OrderBy(v => v), sorted);
        }

        [Theory]
        [InlineData(500, 1)]
        [InlineData(777, 5)]
        [InlineData(2000, 1)]
        public void Mann_Kendall_S_equals_the_sum_of_pair_signs_with_tied_values_and_times(int n, int pointsPerTime)
        {
            var random = new Random(n + pointsPerTime);
            var x = Enumerable.Range(0, n).Select(i => (double)(i / pointsPerTime)).ToArray();
            var y = Enumerable.Range(0, n).Select(i => Math.Round(0.001 * i + random.NextDouble(), 1)).ToArray();
            // Equal times ordered by value, as Summarize hands them over.
            for (int start = 0; start < n; start += pointsPerTime) Array.Sort(y, start, Math.Min(pointsPerTime, n - start));
            long brute = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = i + 1; j < n; j++) brute += Math.Sign(x[j] - x[i]) * Math.Sign(y[j] - y[i]);
            }
            Assert.Equal(brute, TrendStatistics.MannKendall(x, y, n).S);
        }

        [Fact]
        public void Above_the_exact_limit_the_sampled_Theil_Sen_slope_ranks_within_one_percent_of_the_median()
        {
            const int n = 1000; // 499,500 pairs: above the exact limit
            var random = new Random(3);
            var x = Enumerable.Range(0, n).Select(i => i / 12.0).ToArray();
            var y = Enumerable.Range(0, n).Select(i => 0.0004 * i + random.NextDouble() * 0.05).ToArray();
            double sampled = TrendStatistics.TheilSen(x, y, n, out bool exact);
            Assert.False(exact);
            Assert.Equal(sampled, TrendStatistics.TheilSen(x, y, n, out _));

            long below = 0, total = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = i + 1; j < n; j++)
                {
                    total++;
                    if ((y[j] - y[i]) / (x[j] - x[i]) < sampled) below++;
                }
            }
            double rank = below / (double)total;
            Assert.InRange(rank, 0.49, 0.51);
        }

        [Fact]
        public void The_exact_median_of_an_even_count_is_the_mean_of_the_middle_two()
        {
            Assert.Equal(2.5, TrendStatistics.Median(new[] { 4.0, 1, 3, 2 }, 4));
            Assert.Equal(3.0, TrendStatistics.Median(new[] { 5.0, 3, 1, 3, 3 }, 5));
            Assert.True(double.IsNaN(TrendStatistics.Median(new double[0], 0)));
        }

        [Theory]
        [InlineData(0.0, 0.5)]
        [InlineData(1.0, 0.15865525393145707)]
        [InlineData(1.959963984540054, 0.025)]
        [InlineData(3.0, 0.0013498980316300933)]
        [InlineData(5.0, 2.866515718791933e-07)]
        [InlineData(8.0, 6.22096057427174e-16)]
        [InlineData(20.0, 2.7536241186061556e-89)]
        [InlineData(-1.0, 0.8413447460685429)]
        public void The_normal_upper_tail_matches_scipy_norm_sf(double z, double expected)
        {
            double actual = Normal.UpperTail(z);
            Assert.True(Math.Abs(actual - expected) <= 1e-12 * expected, $"Q({z}) = {actual:R}, expected {expected:R}");
        }
    }
}
