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
            var original = (double[])values.Clone();
            var sorted = new double[n];
            long counted = TrendStatistics.SortCountingInversions(values, sorted, n);
            Assert.Equal(brute, counted);
            Assert.Equal(values.OrderBy(v => v), sorted);
            Assert.Equal(original, values);
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
            var sorted = new double[n];
            Assert.Equal(brute, TrendStatistics.SortCountingInversions(values, sorted, n));
            Assert.Equal(values.OrderBy(v => v), sorted);
        }

        [Theory]
        [InlineData(17_280, 10_000)] // a day at 5 s on a grid of 10,000 values: 16-bit counters
        [InlineData(70_000, 1_000_000)] // more points than 16-bit counters hold: 32-bit counters
        [InlineData(70_000, 50)] // few distinct values, most points tied
        public void Bucketed_counting_agrees_with_a_plain_merge_sort_count_at_large_sizes(int n, int distinct)
        {
            var random = new Random(n + distinct);
            var values = Enumerable.Range(0, n).Select(i => random.Next(0, distinct) / (double)distinct + i * 1e-7 * (i % 3)).ToArray();
            var sorted = new double[n];
            long counted = TrendStatistics.SortCountingInversions(values, sorted, n);
            var reference = (double[])values.Clone();
            Assert.Equal(ReferenceInversions(reference, new double[n], 0, n), counted);
            Assert.Equal(reference, sorted);
        }

        /// <summary>Strict inversions by a textbook top-down merge sort, independent of the engine's code.</summary>
        private static long ReferenceInversions(double[] a, double[] scratch, int lo, int hi)
        {
            if (hi - lo < 2) return 0;
            int mid = (lo + hi) / 2;
            long count = ReferenceInversions(a, scratch, lo, mid) + ReferenceInversions(a, scratch, mid, hi);
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
            {
                if (a[j] < a[i])
                {
                    count += mid - i;
                    scratch[k++] = a[j++];
                }
                else
                {
                    scratch[k++] = a[i++];
                }
            }
            while (i < mid) scratch[k++] = a[i++];
            while (j < hi) scratch[k++] = a[j++];
            Array.Copy(scratch, lo, a, lo, hi - lo);
            return count;
        }

        [Theory]
        [InlineData(300, 3)]
        [InlineData(5000, 40)]
        [InlineData(20000, 1000)]
        public void The_tie_corrected_variance_equals_the_textbook_sum_over_tie_groups(int n, int distinct)
        {
            var random = new Random(n);
            var x = Enumerable.Range(0, n).Select(i => i / 12.0).ToArray();
            // -0 and +0 among the values: equal, so one tie group.
            var y = Enumerable.Range(0, n).Select(i => random.Next(0, distinct) == 0 ? (i % 2 == 0 ? -0.0 : 0.0) : random.Next(1, distinct) * 0.25).ToArray();
            double expected = n * (n - 1.0) * (2 * n + 5);
            foreach (var group in y.GroupBy(v => v))
            {
                double u = group.Count();
                expected -= u * (u - 1) * (2 * u + 5);
            }
            expected /= 18;
            var result = TrendStatistics.MannKendall(x, y, n);
            Assert.Equal(expected, result.Variance, 6);
            long brute = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = i + 1; j < n; j++) brute += Math.Sign(y[j] - y[i]);
            }
            Assert.Equal(brute, result.S);
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
        [InlineData(2048)]
        [InlineData(2049)]
        [InlineData(20_000)]
        [InlineData(250_001)]
        public void The_bracketed_median_is_the_exact_median_whatever_the_arrangement(int count)
        {
            var random = new Random(count);
            var cases = new (string Name, double[] Values)[]
            {
                ("heavy tails", Enumerable.Range(0, count).Select(_ => (random.NextDouble() - 0.5) / Math.Pow(random.NextDouble() + 1e-9, 2)).ToArray()),
                ("ascending", Enumerable.Range(0, count).Select(i => (double)i).ToArray()),
                ("descending", Enumerable.Range(0, count).Select(i => (double)-i).ToArray()),
                ("mostly one value", Enumerable.Range(0, count).Select(_ => random.Next(0, 10) == 0 ? random.NextDouble() : 0.5).ToArray()),
                ("few distinct", Enumerable.Range(0, count).Select(_ => (double)random.Next(0, 7)).ToArray()),
                ("infinities", Enumerable.Range(0, count).Select(i => i % 97 == 0 ? double.PositiveInfinity : i % 89 == 0 ? double.NegativeInfinity : random.NextDouble()).ToArray()),
                // The values the strided sample sees are all far above the rest: the bracket misses the median.
                ("sample decoy", Enumerable.Range(0, count).Select(i => i % Math.Max(1, count / 512) == 0 ? 1e6 + i : random.NextDouble()).ToArray()),
            };
            foreach (var (name, values) in cases)
            {
                var ordered = values.OrderBy(v => v).ToArray();
                double expected = count % 2 == 1 ? ordered[count / 2] : ordered[count / 2 - 1] + (ordered[count / 2] - ordered[count / 2 - 1]) / 2;
                Assert.True(expected.Equals(TrendStatistics.Median(values, count)), $"{name}: expected {expected:R}");
            }
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
