using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Engine.Rules.PromQL;

namespace Duri.Ops.Engine.HeartbeatModel
{
    /// <summary>The heartbeat configuration a rule file implements, as far as its expressions tell.</summary>
    public sealed class HeartbeatRuleParameters
    {
        internal HeartbeatRuleParameters(TimeSpan window, TimeSpan freshness, FreshnessReference freshnessOn, TimeSpan? evaluationInterval)
        {
            Window = window;
            Freshness = freshness;
            FreshnessOn = freshnessOn;
            EvaluationInterval = evaluationInterval;
        }

        public TimeSpan Window { get; }
        public TimeSpan Freshness { get; }
        public FreshnessReference FreshnessOn { get; }

        /// <summary>The interval of the group holding the changes() rule; null when the group leaves it to the global setting.</summary>
        public TimeSpan? EvaluationInterval { get; }
    }

    /// <summary>
    /// Measures a heartbeat configuration with <see cref="HeartbeatSimulator"/> over sampled phase offsets, and searches
    /// the smallest window and freshness that meet a false-alarm target.
    /// </summary>
    public static class HeartbeatAlarmModel
    {
        private const double Z95 = 1.959963984540054;

        /// <summary>
        /// False alarms of a healthy writer over <see cref="HeartbeatAlarmOptions.Phases"/> phases, then detection times
        /// of stopped writers; progress is called with the share done, from 0 to 1.
        /// </summary>
        public static HeartbeatAlarmMeasurement Measure(HeartbeatAlarmOptions options, Action<double>? progress = null, CancellationToken cancellationToken = default)
        {
            var warnings = options.Validate();
            var clock = Stopwatch.StartNew();
            var p = new SimulationParameters(options);
            var phases = SamplePhases(p, options.Phases, options.Seed);
            long perPhase = PerPhase(options);
            int steps = phases.Length + Math.Max(1, options.DetectionTrials / 100);
            long evaluations = 0, flagged = 0, episodes = 0;
            double worst = 0, sum = 0, sumOfSquares = 0;
            for (int i = 0; i < phases.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var counter = new AlarmCounter(p.Window, p.Freshness);
                HeartbeatSimulator.Run(p, phases[i], SplitMix64.Mix(options.Seed, (ulong)i), p.WarmUp, p.WarmUp + perPhase, long.MaxValue, ref counter, out _);
                evaluations += counter.Evaluations;
                flagged += counter.Flagged;
                episodes += counter.Episodes;
                double rate = counter.Evaluations == 0 ? 0 : (double)counter.Flagged / counter.Evaluations;
                worst = Math.Max(worst, rate);
                sum += rate;
                sumOfSquares += rate * rate;
                progress?.Invoke((i + 1.0) / steps);
            }
            var (lower, upper) = Interval(evaluations, flagged, phases.Length, sum, sumOfSquares);
            var detection = Detect(options, p, progress, phases.Length, steps, cancellationToken);
            progress?.Invoke(1);
            return new HeartbeatAlarmMeasurement(options, evaluations, flagged, episodes, lower, upper, worst, detection, warnings, clock.Elapsed);
        }

        /// <summary>
        /// Records what every evaluation of a healthy writer needs (the least window and freshness that pass it), allows
        /// as many failures as keep the 95% upper bound within the target, picks the freshness that fails at most half
        /// of them, then the least window that keeps the total within them, then the least freshness with that window; both rounded up to whole seconds and kept at
        /// or above what Export-DuriRuleFile accepts. The figures are measured afresh with another seed.
        /// </summary>
        /// <exception cref="InvalidOperationException">No window and freshness meet the target (failed scrapes alone exceed it).</exception>
        public static HeartbeatRecommendation Recommend(HeartbeatAlarmOptions options, double targetFalseAlarm, TimeSpan? maxDetection = null, Action<double>? progress = null, CancellationToken cancellationToken = default)
        {
            if (!(targetFalseAlarm > 0 && targetFalseAlarm < 1)) throw new ArgumentException($"The target must be a share between 0 and 1, such as 0.001; it is {targetFalseAlarm}.", nameof(targetFalseAlarm));
            options.Validate();
            var clock = Stopwatch.StartNew();
            var p = new SimulationParameters(options);
            var phases = SamplePhases(p, options.Phases, options.Seed);
            long perPhase = PerPhase(options);
            int capacity = checked((int)Math.Min(int.MaxValue - 64, phases.Length * (perPhase / p.Evaluation + 2)));
            var windows = new long[capacity];
            var ages = new long[capacity];
            var recorder = new EvaluationRecorder(windows, ages, 0);
            for (int i = 0; i < phases.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                HeartbeatSimulator.Run(p, phases[i], SplitMix64.Mix(options.Seed, (ulong)i), p.WarmUp, p.WarmUp + perPhase, long.MaxValue, ref recorder, out _);
                progress?.Invoke(0.5 * (i + 1) / phases.Length);
            }
            int n = recorder.Count;
            long allowed = Allowed(targetFalseAlarm, n);
            var sortedAges = SortedCopy(ages, n);
            var sortedWindows = SortedCopy(windows, n);
            long freshness = sortedAges[n - 1 - (int)(allowed / 2)];
            long absent = n - Count(sortedAges, long.MaxValue - 1);
            if (freshness == long.MaxValue || absent > allowed)
                throw new InvalidOperationException($"No window and freshness meet {Percent(targetFalseAlarm)}: {Percent((double)absent / n)} of a healthy writer's evaluations find no sample at all (a failed scrape marks the series stale until the next scrape).");
            long window = Smallest(sortedWindows, w => Failing(windows, ages, n, w, freshness) <= allowed);
            if (window == long.MaxValue)
                throw new InvalidOperationException($"No window meets {Percent(targetFalseAlarm)}: too many evaluations see no change of the heartbeat at all.");
            freshness = Smallest(sortedAges, f => Failing(windows, ages, n, window, f) <= allowed);

            var measured = options.Clone();
            // Never below what Export-DuriRuleFile accepts: a window of HB + 2·SI (the least that sees every change
            // of a punctual writer at any phase) and a freshness above one scrape interval.
            var floorWindow = CanonicalRules.MinimumWindow(options.HeartbeatInterval, options.ScrapeInterval);
            var floorFreshness = options.ScrapeInterval + TimeSpan.FromSeconds(1);
            measured.Window = Max(WholeSeconds(window), RoundUpToSecond(floorWindow));
            measured.Freshness = Max(WholeSeconds(freshness), RoundUpToSecond(floorFreshness));
            measured.Seed = SplitMix64.Mix(options.Seed, 0x5EED);
            var measurement = Measure(measured, progress == null ? null : new Action<double>(share => progress(0.5 + 0.5 * share)), cancellationToken);
            return new HeartbeatRecommendation(targetFalseAlarm, maxDetection, measurement, clock.Elapsed);
        }

        /// <summary>
        /// Reads, from the rules' parsed expressions, the window (changes() over the heartbeat timestamp), the freshness
        /// (a <c>&lt;= N</c> bound, or the range of count_over_time / present_over_time over the timestamp) and what it is
        /// measured on (time() - timestamp(metric) is the scrape time, time() - metric the writer's).
        /// </summary>
        /// <exception cref="ArgumentException">The file holds no heartbeat rules the model understands.</exception>
        public static HeartbeatRuleParameters FromRuleFile(RuleFile file)
        {
            TimeSpan? window = null, freshness = null, evaluation = null;
            FreshnessReference? on = null;
            foreach (var group in file.Groups)
            {
                foreach (var rule in group.Rules)
                {
                    if (!PromQLParser.TryParse(rule.Expression, out var expression, out _)) continue;
                    foreach (var node in expression!.DescendantsAndSelf())
                    {
                        switch (node)
                        {
                            case Call call when call.Function == "changes" && RangeOverTimestamp(call) is TimeSpan w && window == null:
                                window = w;
                                evaluation = group.Interval;
                                break;
                            case Call call when (call.Function == "count_over_time" || call.Function == "present_over_time") && RangeOverTimestamp(call) is TimeSpan range:
                                on = FreshnessReference.ScrapeRange;
                                freshness = range;
                                break;
                            case BinaryExpr age when age.Operator == "-" && ParenExpr.Unwrap(age.Left) is Call time && time.Function == "time":
                                if (ParenExpr.Unwrap(age.Right) is Call stamp && stamp.Function == "timestamp" && stamp.Arguments.Count == 1 && IsTimestampMetric(stamp.Arguments[0]))
                                    on = FreshnessReference.ScrapeTime;
                                else if (IsTimestampMetric(age.Right) && on == null)
                                    on = FreshnessReference.WriterTime;
                                break;
                            case BinaryExpr bound when bound.Operator == "<=" && ParenExpr.Unwrap(bound.Right) is NumberLiteral seconds && freshness == null:
                                freshness = TimeSpan.FromSeconds(seconds.Value);
                                break;
                        }
                    }
                }
            }
            if (window == null) throw new ArgumentException($"{Describe(file)} has no changes({CanonicalRules.TimestampMetric}[...]) rule.");
            if (freshness == null || on == null) throw new ArgumentException($"{Describe(file)} has no freshness guard on {CanonicalRules.TimestampMetric} (time() - timestamp(...) or time() - the metric, compared with <= bool N, or count_over_time(...[F])).");
            return new HeartbeatRuleParameters(window.Value, freshness.Value, on.Value, evaluation);
        }

        private static bool IsTimestampMetric(Expr expr) => ParenExpr.Unwrap(expr) is VectorSelector selector && selector.MetricName == CanonicalRules.TimestampMetric;

        private static TimeSpan? RangeOverTimestamp(Call call) =>
            call.Arguments.Count == 1 && ParenExpr.Unwrap(call.Arguments[0]) is MatrixSelector matrix && matrix.Selector.MetricName == CanonicalRules.TimestampMetric
                ? matrix.Range
                : (TimeSpan?)null;

        private static string Describe(RuleFile file) => string.IsNullOrEmpty(file.Source) ? "The rule file" : $"'{file.Source}'";

        /// <summary>Writer, scraper and evaluator offsets: a Latin hypercube, so every stretch of each period is sampled evenly.</summary>
        internal static PhaseOffsets[] SamplePhases(in SimulationParameters p, int count, ulong seed)
        {
            var rng = new SplitMix64(SplitMix64.Mix(seed, 0xFA5E));
            var writer = Strata(ref rng, count, p.Heartbeat, p.Resolution);
            var scraper = Strata(ref rng, count, p.Scrape, p.Resolution);
            var evaluator = Strata(ref rng, count, p.Evaluation, p.Resolution);
            var phases = new PhaseOffsets[count];
            for (int i = 0; i < count; i++) phases[i] = new PhaseOffsets(writer[i], scraper[i], evaluator[i]);
            return phases;
        }

        private static long[] Strata(ref SplitMix64 rng, int count, long period, long resolution)
        {
            var offsets = new long[count];
            for (int i = 0; i < count; i++) offsets[i] = (long)((i + rng.NextDouble()) / count * period) / resolution * resolution;
            for (int i = count - 1; i > 0; i--)
            {
                int j = (int)(rng.Next() % (ulong)(i + 1));
                (offsets[i], offsets[j]) = (offsets[j], offsets[i]);
            }
            return offsets;
        }

        private static long PerPhase(HeartbeatAlarmOptions options) =>
            Math.Max(1, options.Duration.Ticks / TimeSpan.TicksPerMillisecond / options.Phases);

        /// <summary>
        /// Phases are the independent units (within one phase evaluations repeat a pattern), so the interval comes from
        /// the spread of the per-phase rates; the Wilson interval of the pooled counts widens it where every phase saw
        /// (almost) nothing.
        /// </summary>
        private static (double Lower, double Upper) Interval(long evaluations, long flagged, int phases, double sum, double sumOfSquares)
        {
            if (evaluations == 0) return (double.NaN, double.NaN);
            double mean = sum / phases;
            double variance = phases > 1 ? Math.Max(0, (sumOfSquares - phases * mean * mean) / (phases - 1)) : 0;
            double half = Z95 * Math.Sqrt(variance / phases);
            var (wilsonLower, wilsonUpper) = Wilson(evaluations, flagged);
            return (Math.Max(0, Math.Min(mean - half, wilsonLower)), Math.Min(1, Math.Max(mean + half, wilsonUpper)));
        }

        private static (double Lower, double Upper) Wilson(long n, long k)
        {
            double share = (double)k / n, z2 = Z95 * Z95;
            double centre = (share + z2 / (2.0 * n)) / (1 + z2 / n);
            double half = Z95 * Math.Sqrt(share * (1 - share) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
            return (centre - half, centre + half);
        }

        private static TimeSpan[] Detect(HeartbeatAlarmOptions options, in SimulationParameters p, Action<double>? progress, int done, int steps, CancellationToken cancellationToken)
        {
            var detection = new TimeSpan[options.DetectionTrials];
            var rng = new SplitMix64(SplitMix64.Mix(options.Seed, 0xDE7EC7));
            long lastBeatIndex = p.WarmUp / p.Heartbeat + 1;
            long limit = (lastBeatIndex + 1) * p.Heartbeat + p.Window + p.Freshness + p.Lookback + 4 * (p.Heartbeat + p.Scrape + p.Evaluation);
            for (int i = 0; i < detection.Length; i++)
            {
                if (i % 100 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (i > 0) progress?.Invoke((done + i / 100.0) / steps);
                }
                var phase = new PhaseOffsets(rng.Delay(p.Heartbeat, p.Resolution), rng.Delay(p.Scrape, p.Resolution), rng.Delay(p.Evaluation, p.Resolution));
                var probe = new DetectionProbe(p.Window, p.Freshness);
                HeartbeatSimulator.Run(p, phase, rng.Next(), 0, limit, lastBeatIndex, ref probe, out long lastBeat);
                long detectedAt = probe.DetectedAt == long.MinValue ? limit : probe.DetectedAt;
                detection[i] = TimeSpan.FromMilliseconds(detectedAt - lastBeat);
            }
            return detection;
        }

        /// <summary>How many sorted values are at most <paramref name="bound"/>.</summary>
        private static int Count(long[] sorted, long bound)
        {
            int index = Array.BinarySearch(sorted, bound + 1);
            return index >= 0 ? FirstIndexOf(sorted, index) : ~index;
        }

        private static int FirstIndexOf(long[] sorted, int index)
        {
            while (index > 0 && sorted[index - 1] == sorted[index]) index--;
            return index;
        }

        /// <summary>
        /// The most failures out of n whose 95% Wilson upper bound is still within the target, so that a fresh
        /// measurement (another seed) of the chosen window and freshness lands at or below the target.
        /// </summary>
        private static long Allowed(double target, int n)
        {
            long allowed = (long)Math.Floor(target * n);
            while (allowed > 0 && Wilson(n, allowed).Upper > target) allowed--;
            return allowed;
        }

        /// <summary>A share as a percentage with three decimals, the same in every culture: 0.125%.</summary>
        internal static string Percent(double share) => (100 * share).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + "%";

        private static TimeSpan WholeSeconds(long ms) => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(ms / 1000.0)));

        private static TimeSpan RoundUpToSecond(TimeSpan span) => TimeSpan.FromSeconds(Math.Ceiling(span.TotalSeconds));

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

        private static long[] SortedCopy(long[] values, int count)
        {
            var copy = new long[count];
            Array.Copy(values, copy, count);
            Array.Sort(copy);
            return copy;
        }

        private static long Failing(long[] windows, long[] ages, int count, long window, long freshness)
        {
            long failing = 0;
            for (int i = 0; i < count; i++)
            {
                if (windows[i] > window || ages[i] > freshness) failing++;
            }
            return failing;
        }

        /// <summary>The least value of a sorted array meeting a condition that holds from some value on; long.MaxValue when none does.</summary>
        private static long Smallest(long[] sorted, Func<long, bool> meets)
        {
            int lo = 0, hi = sorted.Length - 1;
            if (!meets(sorted[hi])) return long.MaxValue;
            while (lo < hi)
            {
                int mid = lo + (hi - lo) / 2;
                if (meets(sorted[mid])) hi = mid;
                else lo = mid + 1;
            }
            return sorted[lo];
        }
    }
}
