using System;
using System.Buffers;

namespace Duri.Ops.Engine.Trends
{
    /// <summary>The Mann-Kendall trend test of one series.</summary>
    public sealed class MannKendallResult
    {
        internal MannKendallResult(long s, double tau, double variance, double z, double pValue)
        {
            S = s;
            Tau = tau;
            Variance = variance;
            Z = z;
            PValue = pValue;
        }

        /// <summary>Concordant minus discordant pairs (later value higher minus later value lower).</summary>
        public long S { get; }

        /// <summary>S divided by the number of pairs, n(n-1)/2 (Mann-Kendall's tau, not tau-b).</summary>
        public double Tau { get; }

        /// <summary>The variance of S under no trend, corrected for tied values (and tied times, if any).</summary>
        public double Variance { get; }

        /// <summary>The normal score with continuity correction: (S - sign(S)) / sqrt(Variance).</summary>
        public double Z { get; }

        /// <summary>The two-sided p-value of Z.</summary>
        public double PValue { get; }

        public override string ToString() => FormattableString.Invariant($"S={S} tau={Tau:0.###} z={Z:0.###} p={PValue:G3}");
    }

    /// <summary>
    /// The estimators behind a trend summary, over points already in time order (x: minutes since the first point;
    /// equal times ordered by value).
    /// </summary>
    internal static class TrendStatistics
    {
        /// <summary>Up to this many pairs the Theil-Sen slope is the exact median of all pairwise slopes.</summary>
        public const long ExactTheilSenPairLimit = 250_000;

        /// <summary>Above <see cref="ExactTheilSenPairLimit"/>, the Theil-Sen slope is the median of this many sampled pairs.</summary>
        public const int SampledTheilSenPairs = 20_000;

        private const int InsertionRun = 16;

        /// <summary>The mean bucket size of <see cref="SortCountingInversions"/>.</summary>
        private const int PointsPerBucket = 8;

        /// <summary>Least-squares slope and its standard error sqrt(SSR / (n - 2) / Sxx); NaN where undefined.</summary>
        public static void OrdinaryLeastSquares(double[] x, double[] y, int n, out double slope, out double standardError)
        {
            slope = double.NaN;
            standardError = double.NaN;
            if (n < 2) return;
            // Values relative to the first keep a constant series exactly flat and large levels (counters) precise.
            double origin = y[0], meanX = 0, meanY = 0;
            for (int i = 0; i < n; i++)
            {
                meanX += x[i];
                meanY += y[i] - origin;
            }
            meanX /= n;
            meanY /= n;
            double sxx = 0, sxy = 0;
            for (int i = 0; i < n; i++)
            {
                double dx = x[i] - meanX;
                sxx += dx * dx;
                sxy += dx * (y[i] - origin - meanY);
            }
            if (sxx == 0) return;
            slope = sxy / sxx;
            if (n < 3) return;
            double residualSquares = 0;
            for (int i = 0; i < n; i++)
            {
                double residual = y[i] - origin - meanY - slope * (x[i] - meanX);
                residualSquares += residual * residual;
            }
            standardError = Math.Sqrt(residualSquares / (n - 2) / sxx);
        }

        /// <summary>
        /// The Theil-Sen slope: the median of (y[j] - y[i]) / (x[j] - x[i]) over pairs with different times, the mean
        /// of the middle two for an even count (as NumPy's median). Exact up to <see cref="ExactTheilSenPairLimit"/>
        /// pairs; above, the median of <see cref="SampledTheilSenPairs"/> pairs drawn uniformly (with replacement) by
        /// a generator seeded from n, so the same input gives the same slope. The sampled median's rank among all
        /// pairwise slopes is within 0.5 ± 0.01 with probability 0.99 (normal approximation of the sample quantile:
        /// 2.576 * 0.5 / sqrt(20,000) = 0.0091). The cost stays at O(n) plus 20,000 pairs whatever the size.
        /// </summary>
        public static double TheilSen(double[] x, double[] y, int n, out bool exact)
        {
            long pairs = (long)n * (n - 1) / 2 - TiedPairs(x, n);
            exact = pairs <= ExactTheilSenPairLimit;
            if (pairs <= 0) return double.NaN;
            var slopes = ArrayPool<double>.Shared.Rent(exact ? (int)pairs : SampledTheilSenPairs);
            int count = 0;
            if (exact)
            {
                for (int i = 0; i < n - 1; i++)
                {
                    double xi = x[i], yi = y[i];
                    for (int j = i + 1; j < n; j++)
                    {
                        if (x[j] != xi) slopes[count++] = (y[j] - yi) / (x[j] - xi);
                    }
                }
            }
            else
            {
                var random = new SplitMix64(0x5EED_7E4D ^ (ulong)n);
                long attempts = 0, maxAttempts = 64L * SampledTheilSenPairs;
                while (count < SampledTheilSenPairs && attempts++ < maxAttempts)
                {
                    int i = random.Next(n), j = random.Next(n - 1);
                    if (j >= i) j++;
                    if (x[i] != x[j]) slopes[count++] = (y[j] - y[i]) / (x[j] - x[i]);
                }
            }
            double median = Median(slopes, count);
            ArrayPool<double>.Shared.Return(slopes);
            return median;
        }

        /// <summary>
        /// Mann-Kendall over points in time order, exactly, in O(n log n): S from discordant pairs counted by merge
        /// sort (Knight's method), ties in value and in time handled exactly, and the tie-corrected variance.
        /// </summary>
        public static MannKendallResult MannKendall(double[] x, double[] y, int n)
        {
            if (n < 2) return new MannKendallResult(0, double.NaN, 0, 0, 1);
            long totalPairs = (long)n * (n - 1) / 2;
            long timeTies = 0, jointTies = 0;
            double timeTermV = 0, timeTerm3 = 0;
            for (int start = 0; start < n;)
            {
                int end = start + 1;
                while (end < n && x[end] == x[start]) end++;
                long t = end - start;
                if (t > 1)
                {
                    timeTies += t * (t - 1) / 2;
                    timeTermV += t * (t - 1.0) * (2 * t + 5);
                    timeTerm3 += t * (t - 1.0) * (t - 2);
                    for (int g = start; g < end;)
                    {
                        int h = g + 1;
                        while (h < end && y[h] == y[g]) h++;
                        long u = h - g;
                        jointTies += u * (u - 1) / 2;
                        g = h;
                    }
                }
                start = end;
            }

            var sorted = ArrayPool<double>.Shared.Rent(n);
            var buffer = ArrayPool<double>.Shared.Rent(n);
            Array.Copy(y, sorted, n);
            long discordant = SortCountingInversions(sorted, buffer, n);
            ArrayPool<double>.Shared.Return(buffer);

            long valueTies = 0;
            double valueTermV = 0, valueTerm3 = 0;
            for (int start = 0; start < n;)
            {
                int end = start + 1;
                while (end < n && sorted[end] == sorted[start]) end++;
                long u = end - start;
                if (u > 1)
                {
                    valueTies += u * (u - 1) / 2;
                    valueTermV += u * (u - 1.0) * (2 * u + 5);
                    valueTerm3 += u * (u - 1.0) * (u - 2);
                }
                start = end;
            }
            ArrayPool<double>.Shared.Return(sorted);

            long concordant = totalPairs - timeTies - valueTies + jointTies - discordant;
            long s = concordant - discordant;
            double nd = n;
            double variance = (nd * (nd - 1) * (2 * nd + 5) - timeTermV - valueTermV) / 18;
            if (n > 2) variance += timeTerm3 * valueTerm3 / (9 * nd * (nd - 1) * (nd - 2));
            variance += (2.0 * timeTies) * (2.0 * valueTies) / (2 * nd * (nd - 1));
            double z = 0, p = 1;
            if (variance > 0)
            {
                z = (s - Math.Sign(s)) / Math.Sqrt(variance);
                p = Math.Min(1, 2 * Normal.UpperTail(Math.Abs(z)));
            }
            return new MannKendallResult(s, s / (double)totalPairs, variance, z, p);
        }

        /// <summary>Pairs of points at the same time, in x sorted ascending.</summary>
        private static long TiedPairs(double[] x, int n)
        {
            long tied = 0;
            for (int start = 0; start < n;)
            {
                int end = start + 1;
                while (end < n && x[end] == x[start]) end++;
                long t = end - start;
                tied += t * (t - 1) / 2;
                start = end;
            }
            return tied;
        }

        /// <summary>
        /// Sorts <paramref name="values"/> ascending and returns the pairs i &lt; j with values[i] &gt; values[j] (equal
        /// values are not inversions). A bucket sort: a monotone map of the value gives each point one of about n / 8
        /// buckets (equal values share one), pairs in different buckets are counted with a Fenwick tree over bucket
        /// numbers as the points arrive, and pairs within a bucket by sorting the bucket, which a stable distribution
        /// keeps in time order. Faster than a merge sort of all points, whose merge steps each wait on the comparison
        /// before; a bucket holding most points (a far outlier) falls back to that merge sort.
        /// </summary>
        internal static long SortCountingInversions(double[] values, double[] buffer, int n)
        {
            if (n < 2 * PointsPerBucket) return MergeSortCountingInversions(values, buffer, 0, n);
            double min = values[0], max = values[0];
            for (int i = 1; i < n; i++)
            {
                double v = values[i];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            if (min == max) return 0;
            int bucketCount = n / PointsPerBucket;
            double scale = bucketCount / (max - min);
            if (double.IsInfinity(scale) || scale == 0) return MergeSortCountingInversions(values, buffer, 0, n);

            var buckets = ArrayPool<int>.Shared.Rent(n);
            var tree = ArrayPool<int>.Shared.Rent(bucketCount + 1);
            Array.Clear(tree, 0, bucketCount + 1);
            long inversions = 0;
            for (int j = 0; j < n; j++)
            {
                int bucket = Math.Min((int)((values[j] - min) * scale), bucketCount - 1);
                buckets[j] = bucket;
                int atOrBelow = 0;
                for (int node = bucket + 1; node > 0; node &= node - 1) atOrBelow += tree[node];
                inversions += j - atOrBelow;
                for (int node = bucket + 1; node <= bucketCount; node += node & -node) tree[node]++;
            }

            // The tree's work is done: it becomes each bucket's next free position.
            var next = tree;
            Array.Clear(next, 0, bucketCount + 1);
            for (int j = 0; j < n; j++) next[buckets[j] + 1]++;
            for (int b = 1; b < bucketCount; b++) next[b] += next[b - 1];
            for (int j = 0; j < n; j++) buffer[next[buckets[j]]++] = values[j];
            ArrayPool<int>.Shared.Return(buckets);

            // After the distribution next[b] is the end of bucket b, the start of bucket b + 1.
            for (int b = 0, start = 0; b < bucketCount; start = next[b++])
            {
                int count = next[b] - start;
                inversions += count <= InsertionRun * 4
                    ? InsertionSortCountingInversions(buffer, start, count)
                    : MergeSortCountingInversions(buffer, values, start, count);
            }
            ArrayPool<int>.Shared.Return(tree);
            Array.Copy(buffer, values, n);
            return inversions;
        }

        /// <summary>Sorts values[start, start + count) by a merge sort with <paramref name="scratch"/> and returns its strict inversions.</summary>
        private static long MergeSortCountingInversions(double[] values, double[] scratch, int start, int count)
        {
            int end = start + count;
            long inversions = 0;
            for (int run = start; run < end; run += InsertionRun) inversions += InsertionSortCountingInversions(values, run, Math.Min(InsertionRun, end - run));
            double[] source = values, target = scratch;
            for (int width = InsertionRun; width < count; width *= 2)
            {
                for (int lo = start; lo < end; lo += 2 * width)
                {
                    int mid = Math.Min(lo + width, end), hi = Math.Min(lo + 2 * width, end);
                    int i = lo, j = mid, k = lo;
                    if (mid < hi && source[mid - 1] > source[mid])
                    {
                        // Branch-free: on noisy data the branch would be mispredicted half the time.
                        while (i < mid && j < hi)
                        {
                            int right = source[j] < source[i] ? 1 : 0;
                            target[k++] = source[i + right * (j - i)];
                            inversions += right * (mid - i);
                            i += 1 - right;
                            j += right;
                        }
                    }
                    if (i < mid) Array.Copy(source, i, target, k, mid - i);
                    k += mid - i;
                    if (j < hi) Array.Copy(source, j, target, k, hi - j);
                }
                var swap = source;
                source = target;
                target = swap;
            }
            if (!ReferenceEquals(source, values)) Array.Copy(source, start, values, start, count);
            return inversions;
        }

        private static long InsertionSortCountingInversions(double[] values, int start, int count)
        {
            long inversions = 0;
            int end = start + count;
            for (int i = start + 1; i < end; i++)
            {
                double v = values[i];
                int j = i - 1;
                while (j >= start && values[j] > v)
                {
                    values[j + 1] = values[j];
                    j--;
                }
                inversions += i - 1 - j;
                values[j + 1] = v;
            }
            return inversions;
        }

        /// <summary>The median of the first <paramref name="count"/> values (reordering them); the mean of the middle two for an even count.</summary>
        internal static double Median(double[] values, int count)
        {
            if (count == 0) return double.NaN;
            int upper = count / 2;
            double high = Select(values, 0, count - 1, upper);
            if (count % 2 == 1) return high;
            // After selection everything left of `upper` is at most the upper middle; the lower middle is their maximum.
            double low = values[0];
            for (int i = 1; i < upper; i++)
            {
                if (values[i] > low) low = values[i];
            }
            return low + (high - low) / 2;
        }

        /// <summary>Quickselect with a three-way partition, so that many equal slopes cost no extra passes.</summary>
        private static double Select(double[] a, int left, int right, int k)
        {
            while (right > left)
            {
                int middle = left + (right - left) / 2;
                double pivot = MedianOfThree(a[left], a[middle], a[right]);
                int lt = left, i = left, gt = right;
                while (i <= gt)
                {
                    double v = a[i];
                    if (v < pivot)
                    {
                        a[i++] = a[lt];
                        a[lt++] = v;
                    }
                    else if (v > pivot)
                    {
                        a[i] = a[gt];
                        a[gt--] = v;
                    }
                    else
                    {
                        i++;
                    }
                }
                if (k < lt) right = lt - 1;
                else if (k > gt) left = gt + 1;
                else return pivot;
            }
            return a[k];
        }

        private static double MedianOfThree(double a, double b, double c) =>
            a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);

        /// <summary>A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64).</summary>
        private struct SplitMix64
        {
            private ulong _state;

            public SplitMix64(ulong seed) => _state = seed;

            /// <summary>A value in [0, bound) by Lemire's multiply-shift; the bias is below 2^-32 for bounds under 2^31.</summary>
            public int Next(int bound)
            {
                ulong z = _state += 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                z ^= z >> 31;
                return (int)(((z >> 32) * (ulong)bound) >> 32);
            }
        }
    }

    /// <summary>The standard normal distribution's upper tail, to about 1e-14 relative accuracy.</summary>
    internal static class Normal
    {
        private const double InverseSqrtPi = 0.56418958354775628695;

        /// <summary>P(Z &gt; z) for a standard normal Z.</summary>
        public static double UpperTail(double z) => z >= 0 ? Erfc(z / Math.Sqrt(2)) / 2 : 1 - Erfc(-z / Math.Sqrt(2)) / 2;

        /// <summary>
        /// erfc(x) for x ≥ 0: below 3 as 1 - erf(x) from erf's series of positive terms (no cancellation), from 3 up
        /// from its continued fraction (modified Lentz), which keeps full relative accuracy in the far tail.
        /// </summary>
        public static double Erfc(double x)
        {
            if (x < 3)
            {
                double twoXSquared = 2 * x * x, term = x, sum = x;
                for (int k = 1; k < 200 && term > sum * 1e-17; k++)
                {
                    term *= twoXSquared / (2 * k + 1);
                    sum += term;
                }
                return 1 - 2 * InverseSqrtPi * Math.Exp(-x * x) * sum;
            }
            const double tiny = 1e-300;
            double f = x, c = x, d = 0;
            for (int k = 1; k < 500; k++)
            {
                double a = k * 0.5;
                d = x + a * d;
                if (d == 0) d = tiny;
                c = x + a / c;
                if (c == 0) c = tiny;
                d = 1 / d;
                double delta = c * d;
                f *= delta;
                if (Math.Abs(delta - 1) < 1e-16) break;
            }
            return InverseSqrtPi * Math.Exp(-x * x) / f;
        }
    }
}
