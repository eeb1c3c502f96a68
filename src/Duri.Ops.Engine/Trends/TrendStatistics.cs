using System;
using System.Buffers;
using System.Globalization;
using System.Numerics;

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

        /// <summary>
        /// The mean bucket size of <see cref="SortCountingInversions"/>: small, so that a point seldom has a greater
        /// bucket-mate before it and the insertion sort within buckets seldom moves anything (a move is a branch the
        /// processor cannot predict).
        /// </summary>
        private const int PointsPerBucket = 2;

        /// <summary>Below this many points <see cref="SortCountingInversions"/> merge-sorts them all.</summary>
        private const int FewestToBucket = 64;

        /// <summary>A bucket larger than this is merge-sorted rather than insertion-sorted.</summary>
        private const int LargestInsertionSorted = 64;

        /// <summary>From this count on, <see cref="MiddleOf"/> first brackets the ranks sought with a sample.</summary>
        private const int BracketFrom = 2048;

        /// <summary>The sample <see cref="MiddleOf"/> takes to bracket the ranks sought.</summary>
        private const int BracketSample = 512;

        /// <summary>
        /// How many sample ranks either side of the place sought the bracket reaches. That place's rank in the sample
        /// has a standard deviation of at most sqrt(512) / 2 = 11 sample places, so 48 misses with odds below 1 in
        /// 10,000, and a miss only costs the plain selection.
        /// </summary>
        private const int BracketMargin = 48;

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
            long pairs = (long)n * (n - 1) / 2 - TieSums.Of(x, n).Pairs;
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
                    random.NextPair(n, n - 1, out int i, out int j);
                    // Branch-free: these would be mispredicted about half the time.
                    j += j >= i ? 1 : 0;
                    slopes[count] = (y[j] - y[i]) / (x[j] - x[i]);
                    count += x[i] != x[j] ? 1 : 0;
                }
            }
            double median = Median(slopes, count);
            ArrayPool<double>.Shared.Return(slopes);
            return median;
        }

        /// <summary>
        /// Mann-Kendall over points in time order, exactly, in O(n log n): S from the discordant pairs counted while
        /// sorting the values (<see cref="SortCountingInversions"/>), ties in value and in time handled exactly, and
        /// the tie-corrected variance.
        /// </summary>
        public static MannKendallResult MannKendall(double[] x, double[] y, int n)
        {
            if (n < 2) return new MannKendallResult(0, double.NaN, 0, 0, 1);
            long totalPairs = (long)n * (n - 1) / 2;
            var time = TieSums.Of(x, n);
            long jointTies = time.Pairs == 0 ? 0 : JointTies(x, y, n);

            var sorted = ArrayPool<double>.Shared.Rent(n);
            long discordant = SortCountingInversions(y, sorted, n);
            var value = TieSums.Of(sorted, n);
            ArrayPool<double>.Shared.Return(sorted);

            long timeTies = time.Pairs, valueTies = value.Pairs;
            double timeTermV = time.VarianceTerm, timeTerm3 = time.CubicTerm, valueTermV = value.VarianceTerm, valueTerm3 = value.CubicTerm;
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

        /// <summary>
        /// Returns the pairs i &lt; j with values[i] &gt; values[j] (equal values are not inversions) and writes the
        /// values in ascending order to <paramref name="sorted"/>, leaving <paramref name="values"/> as they are. A
        /// bucket sort: a monotone map of the value gives each point one of about n / <see cref="PointsPerBucket"/>
        /// buckets (equal values share one), pairs in different buckets are counted by
        /// <see cref="InversionsBetweenBuckets"/>, and pairs within a bucket by insertion-sorting the buckets, which a
        /// stable distribution keeps in time order. Faster than a merge sort of all points, whose merge steps each
        /// wait on the comparison before; a bucket too large to insertion-sort (a far outlier squeezes most points
        /// into one) is merge-sorted.
        /// </summary>
        internal static long SortCountingInversions(double[] values, double[] sorted, int n)
        {
            if (n < FewestToBucket) return MergeSortCopyCountingInversions(values, sorted, n);
            Extremes(values, n, out double min, out double max);
            if (min == max)
            {
                Array.Copy(values, sorted, n);
                return 0;
            }
            int bucketCount = n / PointsPerBucket;
            double scale = bucketCount / (max - min);
            if (double.IsInfinity(scale) || scale == 0) return MergeSortCopyCountingInversions(values, sorted, n);

            var buckets = ArrayPool<int>.Shared.Rent(n);
            var next = ArrayPool<int>.Shared.Rent(bucketCount + 1);
            Array.Clear(next, 0, bucketCount + 1);
            for (int j = 0; j < n; j++)
            {
                int bucket = Math.Min((int)((values[j] - min) * scale), bucketCount - 1);
                buckets[j] = bucket;
                next[bucket + 1]++;
            }
            long inversions = InversionsBetweenBuckets(buckets, n, bucketCount);

            for (int b = 1; b < bucketCount; b++) next[b] += next[b - 1];
            for (int j = 0; j < n; j++) sorted[next[buckets[j]]++] = values[j];
            ArrayPool<int>.Shared.Return(buckets);

            // After the distribution next[b] is the end of bucket b, the start of bucket b + 1.
            int largest = next[0];
            for (int b = 1; b < bucketCount; b++) largest = Math.Max(largest, next[b] - next[b - 1]);
            if (largest <= LargestInsertionSorted)
            {
                // Every value of a bucket exceeds every value of the buckets before it, so one insertion sort of the
                // whole array never moves a value out of its bucket: it counts exactly the pairs within buckets.
                inversions += InsertionSortCountingInversions(sorted, 0, n);
            }
            else
            {
                var scratch = ArrayPool<double>.Shared.Rent(n);
                for (int b = 0, start = 0; b < bucketCount; start = next[b++])
                {
                    int count = next[b] - start;
                    inversions += count <= LargestInsertionSorted
                        ? InsertionSortCountingInversions(sorted, start, count)
                        : MergeSortCountingInversions(sorted, scratch, start, count);
                }
                ArrayPool<double>.Shared.Return(scratch);
            }
            ArrayPool<int>.Shared.Return(next);
            return inversions;
        }

        /// <summary>The least and greatest of finite values, a vector's width at a time.</summary>
        private static void Extremes(double[] values, int n, out double min, out double max)
        {
            int width = Vector<double>.Count, i = 0;
            Vector<double> least = new Vector<double>(values[0]), greatest = least;
            for (; i + width <= n; i += width)
            {
                var v = new Vector<double>(values, i);
                least = Vector.Min(least, v);
                greatest = Vector.Max(greatest, v);
            }
            min = least[0];
            max = greatest[0];
            for (int lane = 1; lane < width; lane++)
            {
                min = Math.Min(min, least[lane]);
                max = Math.Max(max, greatest[lane]);
            }
            for (; i < n; i++)
            {
                min = Math.Min(min, values[i]);
                max = Math.Max(max, values[i]);
            }
        }

        private static long MergeSortCopyCountingInversions(double[] values, double[] sorted, int n)
        {
            Array.Copy(values, sorted, n);
            var scratch = ArrayPool<double>.Shared.Rent(n);
            long inversions = MergeSortCountingInversions(sorted, scratch, 0, n);
            ArrayPool<double>.Shared.Return(scratch);
            return inversions;
        }

        /// <summary>
        /// The pairs i &lt; j with buckets[i] &gt; buckets[j], in one pass in time order. A tree over the bucket numbers,
        /// whose fan-out is the number of counters one vector holds, keeps for each node how many points so far fell
        /// under a later sibling; a point's count of earlier, higher points is the sum of those counters along its
        /// path, and adding the point raises the counters of its path's earlier siblings: per level one masked vector
        /// add, where a Fenwick tree waits on a chain of dependent loads. The counters are 16-bit while the points fit
        /// (16 to a vector, so a shallower tree).
        /// </summary>
        internal static long InversionsBetweenBuckets(int[] buckets, int n, int bucketCount) =>
            n <= ushort.MaxValue
                ? InversionsBetweenBuckets<ushort>(buckets, n, bucketCount)
                : InversionsBetweenBuckets<int>(buckets, n, bucketCount);

        private static unsafe long InversionsBetweenBuckets<T>(int[] buckets, int n, int bucketCount)
            where T : unmanaged
        {
            int fan = Vector<T>.Count, fanBits = 0;
            while (1 << fanBits < fan) fanBits++;
            int* levelStart = stackalloc int[32];
            int levels = 0, total = 0;
            for (int nodes = bucketCount; ; nodes = (nodes + fan - 1) >> fanBits)
            {
                // Each level's counters start on a multiple of the fan-out, so a node's siblings are its aligned vector.
                levelStart[levels++] = total;
                total += (nodes + fan - 1) & ~(fan - 1);
                if (nodes <= fan) break;
            }
            var counters = ArrayPool<T>.Shared.Rent(total + fan);
            long inversions = 0;
            // Pointers: this loop is the count's hot path, and array indexing would add a bounds check to every access.
            fixed (T* pinned = counters)
            fixed (Vector<T>* raise = EarlierSiblings<T>.Masks)
            fixed (int* bucket = buckets)
            {
                // On a vector boundary, so that no group of siblings straddles two cache lines.
                int vectorBytes = fan * sizeof(T);
                T* start = pinned + (vectorBytes - (int)((ulong)pinned % (ulong)vectorBytes)) % vectorBytes / sizeof(T);
                for (int i = 0; i < total; i++) start[i] = default;
                // Every point raises the top level's counters: in memory each point would wait for the store of the one
                // before, so they stay in a register.
                int belowTop = levels - 1;
                Vector<T> top = default;
                for (int j = 0; j < n; j++)
                {
                    int node = bucket[j];
                    for (int level = 0; level < belowTop; level++, node >>= fanBits)
                    {
                        int at = levelStart[level] + node;
                        inversions += AsInt64(start[at]);
                        // The mask is all ones (-1) in the lanes of the earlier siblings: subtracting it adds one to each.
                        *(Vector<T>*)(start + (at & ~(fan - 1))) -= raise[node & (fan - 1)];
                    }
                    inversions += AsInt64(top[node]);
                    top -= raise[node];
                }
            }
            ArrayPool<T>.Shared.Return(counters);
            return inversions;
        }

        /// <summary>A 16-bit or 32-bit counter's value; the type test is decided when the method is compiled for T.</summary>
        private static long AsInt64<T>(T counter) where T : unmanaged =>
            typeof(T) == typeof(ushort) ? (ushort)(object)counter : (int)(object)counter;

        /// <summary>For each place p among a vector's siblings, the vector with all bits set in the lanes before p.</summary>
        private static class EarlierSiblings<T>
            where T : unmanaged
        {
            public static readonly Vector<T>[] Masks = Create();

            private static Vector<T>[] Create()
            {
                int fan = Vector<T>.Count;
                var lane = new T[fan];
                for (int i = 0; i < fan; i++) lane[i] = (T)Convert.ChangeType(i, typeof(T), CultureInfo.InvariantCulture);
                var lanes = new Vector<T>(lane);
                var masks = new Vector<T>[fan];
                for (int place = 0; place < fan; place++) masks[place] = Vector.LessThan(lanes, new Vector<T>(lane[place]));
                return masks;
            }
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
                            int right = Below(source[j], source[i]);
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

        /// <summary>The median of the first <paramref name="count"/> values (which it may reorder); the mean of the middle two for an even count.</summary>
        internal static double Median(double[] values, int count)
        {
            if (count == 0) return double.NaN;
            int upper = count / 2;
            return MiddleOf(values, count, count % 2 == 1 ? upper : upper - 1, upper);
        }

        /// <summary>
        /// The mean of the values of ranks <paramref name="lower"/> and <paramref name="upper"/> (equal or adjacent)
        /// among values[0, count). Many values are first narrowed down by way of a sample: the sample values either
        /// side of the ranks' place bracket their value, one branch-free pass counts the values below the bracket and
        /// keeps those inside it (about a fifth), and the ranks are then sought among those alone, the same way. When
        /// the ranks fall outside the bracket (rare) or too many values tie at its ends, all values are selected from.
        /// </summary>
        private static double MiddleOf(double[] values, int count, int lower, int upper)
        {
            if (count >= BracketFrom)
            {
                var sample = ArrayPool<double>.Shared.Rent(BracketSample);
                int stride = count / BracketSample;
                for (int i = 0; i < BracketSample; i++) sample[i] = values[i * stride];
                int place = (int)((long)lower * BracketSample / count);
                int lowRank = Math.Max(0, place - BracketMargin), highRank = Math.Min(BracketSample - 1, place + BracketMargin);
                double low = Select(sample, 0, BracketSample - 1, lowRank);
                double high = Select(sample, lowRank, BracketSample - 1, highRank);
                ArrayPool<double>.Shared.Return(sample);
                if (double.IsInfinity(low) || double.IsInfinity(high)) return MiddleOfSelected(values, 0, count, lower, upper);

                int capacity = count / 4, below = 0, kept = 0;
                var bracket = ArrayPool<double>.Shared.Rent(capacity);
                for (int i = 0; i < count && kept < capacity; i++)
                {
                    double v = values[i];
                    int isBelow = Below(v, low);
                    below += isBelow;
                    bracket[kept] = v;
                    kept += 1 - isBelow - Below(high, v);
                }
                bool inBracket = kept < capacity && below <= lower && upper < below + kept;
                double middle = inBracket ? MiddleOf(bracket, kept, lower - below, upper - below) : double.NaN;
                ArrayPool<double>.Shared.Return(bracket);
                if (inBracket) return middle;
            }
            return MiddleOfSelected(values, 0, count, lower, upper);
        }

        /// <summary>The mean of the values of ranks <paramref name="lower"/> and <paramref name="upper"/> (equal or adjacent) among a[start, start + count).</summary>
        private static double MiddleOfSelected(double[] a, int start, int count, int lower, int upper)
        {
            double high = Select(a, start, start + count - 1, start + upper);
            if (lower == upper) return high;
            // After selection everything left of `upper` is at most the upper middle; the lower middle is their maximum.
            double low = a[start];
            for (int i = start + 1; i < start + upper; i++)
            {
                if (a[i] > low) low = a[i];
            }
            return low + (high - low) / 2;
        }

        /// <summary>
        /// 1 when <paramref name="value"/> is below <paramref name="bound"/>, else 0, without a branch for the
        /// processor to mispredict: the sign of their difference, which is exact (distinct doubles never subtract to
        /// zero, and an overflow keeps its sign). For values that are not NaN and not infinities of the same sign.
        /// </summary>
        private static int Below(double value, double bound) => (int)((ulong)BitConverter.DoubleToInt64Bits(value - bound) >> 63);

        /// <summary>1 when two finite values are equal (-0 and +0 included), else 0, without a branch: their difference is ±0.</summary>
        private static long Equal(double a, double b)
        {
            long magnitude = BitConverter.DoubleToInt64Bits(a - b) << 1;
            return 1 - (long)((ulong)(magnitude | -magnitude) >> 63);
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

        /// <summary>Pairs of points equal in both time and value; equal times come ordered by value, so such points are adjacent.</summary>
        private static long JointTies(double[] x, double[] y, int n)
        {
            long pairs = 0, run = 1;
            for (int i = 1; i < n; i++)
            {
                run = x[i] == x[i - 1] && y[i] == y[i - 1] ? run + 1 : 1;
                pairs += run - 1;
            }
            return pairs;
        }

        /// <summary>The tie sums of Mann-Kendall's variance over the runs of equal values in an ordered array.</summary>
        private readonly struct TieSums
        {
            private TieSums(long pairs, double varianceTerm, double cubicTerm)
            {
                Pairs = pairs;
                VarianceTerm = varianceTerm;
                CubicTerm = cubicTerm;
            }

            /// <summary>Σ u(u - 1) / 2 over runs of u: the tied pairs.</summary>
            public long Pairs { get; }

            /// <summary>Σ u(u - 1)(2u + 5).</summary>
            public double VarianceTerm { get; }

            /// <summary>Σ u(u - 1)(u - 2).</summary>
            public double CubicTerm { get; }

            /// <summary>
            /// Element by element, without a branch per run: the k-th element of a run adds k and k², and each sum over
            /// a run of u is a polynomial in Σk = u(u + 1) / 2 and Σk² = u(u + 1)(2u + 1) / 6.
            /// </summary>
            public static TieSums Of(double[] values, int n)
            {
                long run = 1, ranks = 1;
                double squares = 1;
                for (int i = 1; i < n; i++)
                {
                    // A mask, not a branch: with many ties whether a run goes on is a coin toss.
                    run = (run & -Equal(values[i], values[i - 1])) + 1;
                    ranks += run;
                    squares += run * run;
                }
                return new TieSums(ranks - n, 6 * (squares - n), 3 * (squares - 3.0 * ranks + 2.0 * n));
            }
        }

        /// <summary>A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64).</summary>
        private struct SplitMix64
        {
            private ulong _state;

            public SplitMix64(ulong seed) => _state = seed;

            /// <summary>
            /// Two values, in [0, <paramref name="boundA"/>) and [0, <paramref name="boundB"/>), from the two halves of one
            /// output by Lemire's multiply-shift; the bias is below 2^-32 for bounds under 2^31.
            /// </summary>
            public void NextPair(int boundA, int boundB, out int a, out int b)
            {
                ulong z = _state += 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                z ^= z >> 31;
                a = (int)(((z >> 32) * (ulong)boundA) >> 32);
                b = (int)(((z & 0xFFFF_FFFFUL) * (ulong)boundB) >> 32);
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
