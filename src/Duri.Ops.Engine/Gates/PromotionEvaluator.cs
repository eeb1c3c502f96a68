using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Trends;

namespace Duri.Ops.Engine.Gates
{
    public enum PromotionVerdict
    {
        /// <summary>Every gate has passed at every step for the sustained span, and no rollback condition held.</summary>
        Promote,
        /// <summary>Enough gates were violated together for the consecutive span, or the trend gate is Rising.</summary>
        Rollback,
        /// <summary>Neither yet: the decision says what is missing.</summary>
        Hold,
    }

    /// <summary>One gate over the evaluated steps.</summary>
    public sealed class GateHistory
    {
        public string Name { get; internal set; } = string.Empty;

        /// <summary>The status at the latest step.</summary>
        public GateStatus Current { get; internal set; }

        public int PassSteps { get; internal set; }

        public int ViolatedSteps { get; internal set; }

        /// <summary>Steps with no usable data: NoData, Stale, NaN, OutOfRange, MultipleSeries or QueryError.</summary>
        public int MissingSteps { get; internal set; }

        /// <summary>The query's error when it could not be answered.</summary>
        public string? Error { get; internal set; }

        public override string ToString() => $"{Name} {Current} ({PassSteps} pass, {ViolatedSteps} violated, {MissingSteps} missing)";
    }

    /// <summary>The promotion / rollback verdict over a window of history, with its evidence.</summary>
    public sealed class PromotionDecision
    {
        public PromotionVerdict Verdict { get; internal set; }

        /// <summary>What decided it, in words an operator can act on.</summary>
        public string Reason { get; internal set; } = string.Empty;

        /// <summary>The latest evaluated step: the moment the verdict is for.</summary>
        public DateTimeOffset EvaluatedAt { get; internal set; }

        public DateTimeOffset WindowStart { get; internal set; }

        public TimeSpan Step { get; internal set; }

        public int Steps { get; internal set; }

        /// <summary>The all-pass streak ending at the latest step; null when the latest step does not hold.</summary>
        public DateTimeOffset? StreakStart { get; internal set; }

        /// <summary>How long that streak has lasted: (passing steps - 1) x step.</summary>
        public TimeSpan StreakLength { get; internal set; }

        public TimeSpan Sustained { get; internal set; }

        /// <summary>For Hold: how much longer every gate must keep passing before Promote.</summary>
        public TimeSpan Remaining { get; internal set; }

        /// <summary>For Rollback by gates: the gates that failed together during the run.</summary>
        public IReadOnlyList<string> RollbackGates { get; internal set; } = Array.Empty<string>();

        public DateTimeOffset? RollbackFrom { get; internal set; }

        public DateTimeOffset? RollbackTo { get; internal set; }

        /// <summary>The trend test of the trend gate over the trend window; null when the policy names no trend gate.</summary>
        public TrendSummary? Trend { get; internal set; }

        /// <summary>The gates not passing at the latest step, each with its status.</summary>
        public IReadOnlyList<string> Missing { get; internal set; } = Array.Empty<string>();

        public IReadOnlyList<GateHistory> Gates { get; internal set; } = Array.Empty<GateHistory>();

        public string Realm { get; internal set; } = string.Empty;

        public string PolicyPath { get; internal set; } = string.Empty;

        public PrometheusConnection? Prometheus { get; internal set; }

        public override string ToString() => Verdict + ": " + Reason;
    }

    /// <summary>
    /// Judges a policy over history at the policy's step. Definitions, at step granularity (t_i = window start + i x step):
    /// step i holds when every gate passes at t_i; a streak is a run of consecutive holding steps t_a..t_b and has lasted
    /// t_b - t_a (one step lasts 0, as an alert's "for"); Promote when the streak ending at the latest step has lasted at
    /// least <see cref="GatePolicy.Sustained"/>. A violation run is a run of consecutive steps at each of which at least
    /// <see cref="GatePolicy.RollbackMinViolatedGates"/> gates are Violated (any non-passing status when
    /// <see cref="GatePolicy.RollbackCountsMissingData"/>); one step with fewer ends it. Rollback when a run within the
    /// window has lasted at least <see cref="GatePolicy.RollbackConsecutive"/>, or the trend gate is Rising.
    /// A step without usable data never holds.
    /// </summary>
    public static class PromotionEvaluator
    {
        /// <summary>Runs each gate's range query, with its sample times, concurrently over the window ending now (or at <paramref name="at"/>), then decides.</summary>
        public static async Task<PromotionDecision> DecideAsync(PrometheusConnection connection, GatePolicy policy, TimeSpan since, DateTimeOffset? at, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var window = Window(policy.Step, since, at ?? DateTimeOffset.UtcNow);
            var queries = policy.Gates
                .Select(gate => connection.QueryRangeAsync(RangeQuery(gate.QueryFor(policy.Realm)), window.Start, window.End, policy.Step, timeout, cancellationToken))
                .ToList();
            try
            {
                await Task.WhenAll(queries).ConfigureAwait(false);
            }
            catch (PrometheusException) when (!cancellationToken.IsCancellationRequested)
            {
                // Each failed gate is judged QueryError below; the others keep their answers.
            }
            cancellationToken.ThrowIfCancellationRequested();
            var answers = queries.Select(q => q.Status == TaskStatus.RanToCompletion
                ? Split(q.Result)
                : new GateRangeAnswer(null, null, q.Exception!.InnerExceptions.Select(e => e.Message).FirstOrDefault())).ToList();
            var decision = Decide(policy, window.Start, window.Steps, answers);
            decision.Prometheus = connection;
            return decision;
        }

        /// <summary>One gate's values and their sample times in one range query.</summary>
        private static string RangeQuery(string gateQuery)
        {
            var query = new CombinedQuery();
            GateParts.Add(query, gateQuery);
            return query.Text;
        }

        /// <summary>A gate's range answer (<see cref="RangeQuery"/>: its values are part 0, their times part 1) split into the two.</summary>
        internal static GateRangeAnswer Split(PrometheusQueryResult answer)
        {
            var unusable = CombinedQuery.Unusable(answer);
            if (unusable != null) return new GateRangeAnswer(null, null, unusable + ".");
            var parts = CombinedQuery.Split(answer.Matrix, 2);
            return new GateRangeAnswer(parts[0], parts[1], null);
        }

        /// <summary>The steps of a window: the end rounded down to a whole step (so repeated evaluations agree), back over <paramref name="since"/>.</summary>
        internal static (DateTimeOffset Start, DateTimeOffset End, int Steps) Window(TimeSpan step, TimeSpan since, DateTimeOffset at)
        {
            long stepMs = (long)step.TotalMilliseconds;
            long endMs = at.ToUnixTimeMilliseconds() / stepMs * stepMs;
            long count = Math.Max(0, (long)since.TotalMilliseconds / stepMs);
            return (DateTimeOffset.FromUnixTimeMilliseconds(endMs - count * stepMs), DateTimeOffset.FromUnixTimeMilliseconds(endMs), (int)count + 1);
        }

        /// <summary>Decides from each gate's range answers (in policy order). Pure: the benchmarked part.</summary>
        internal static PromotionDecision Decide(GatePolicy policy, DateTimeOffset start, int steps, IReadOnlyList<GateRangeAnswer> answers)
        {
            // Each step's status, one byte per gate and step, gate after gate; pooled, so that a watch re-evaluating a long
            // window does not allocate it every time.
            var statuses = ArrayPool<GateStatus>.Shared.Rent(policy.Gates.Count * steps);
            try
            {
                return Decide(policy, start, steps, answers, statuses);
            }
            finally
            {
                ArrayPool<GateStatus>.Shared.Return(statuses);
            }
        }

        private static PromotionDecision Decide(GatePolicy policy, DateTimeOffset start, int steps, IReadOnlyList<GateRangeAnswer> answers, GateStatus[] statuses)
        {
            long startMs = start.ToUnixTimeMilliseconds();
            long stepMs = (long)policy.Step.TotalMilliseconds;
            int gates = policy.Gates.Count;
            int trendGate = -1;
            int trendFirst = Math.Max(0, steps - 1 - (int)((long)policy.TrendWindow.TotalMilliseconds / stepMs));
            double[]? trendValues = null;
            for (int g = 0; g < gates; g++)
            {
                if (policy.Gates[g].Name == policy.TrendGate)
                {
                    trendGate = g;
                    trendValues = new double[steps - trendFirst];
                }
                StepStatuses(policy.Gates[g], answers[g], startMs, stepMs, steps, statuses, g * steps, g == trendGate ? trendValues : null, trendFirst);
            }

            var passSteps = new int[gates];
            var violatedSteps = new int[gates];
            Tally(policy, statuses, steps, stepMs, passSteps, violatedSteps, out int streak, out int runStart, out int runEnd);

            var histories = new GateHistory[gates];
            var missing = new List<string>();
            for (int g = 0; g < gates; g++)
            {
                var gate = policy.Gates[g];
                var current = statuses[g * steps + steps - 1];
                string? error = answers[g].Error;
                histories[g] = new GateHistory
                {
                    Name = gate.Name,
                    Current = current,
                    Error = error,
                    PassSteps = passSteps[g],
                    ViolatedSteps = violatedSteps[g],
                    MissingSteps = steps - passSteps[g] - violatedSteps[g],
                };
                if (current != GateStatus.Pass) missing.Add($"{gate.Name} {current}" + (error != null ? ": " + error : string.Empty));
            }

            var decision = new PromotionDecision
            {
                EvaluatedAt = DateTimeOffset.FromUnixTimeMilliseconds(startMs + (steps - 1) * stepMs),
                WindowStart = start,
                Step = policy.Step,
                Steps = steps,
                Sustained = policy.Sustained,
                Gates = histories,
                Missing = missing,
                Realm = policy.Realm,
                PolicyPath = policy.Source,
            };
            if (streak > 0)
            {
                decision.StreakStart = DateTimeOffset.FromUnixTimeMilliseconds(startMs + (steps - streak) * stepMs);
                decision.StreakLength = TimeSpan.FromMilliseconds((streak - 1) * stepMs);
            }

            if (runEnd >= 0)
            {
                decision.Verdict = PromotionVerdict.Rollback;
                decision.RollbackFrom = DateTimeOffset.FromUnixTimeMilliseconds(startMs + runStart * stepMs);
                decision.RollbackTo = DateTimeOffset.FromUnixTimeMilliseconds(startMs + runEnd * stepMs);
                decision.RollbackGates = GatesCountedIn(policy, statuses, steps, runStart, runEnd);
                var lasted = TimeSpan.FromMilliseconds((runEnd - runStart) * stepMs);
                decision.Reason = $"{string.Join(", ", decision.RollbackGates)} failed together ({policy.RollbackMinViolatedGates} or more at every step) from {GateEvaluator.Clock(decision.RollbackFrom.Value)} to {GateEvaluator.Clock(decision.RollbackTo.Value)}, "
                    + $"{PrometheusDuration.Format(lasted)}, reaching the rollback rule's {PrometheusDuration.Format(policy.RollbackConsecutive)}. Roll back, then look at those gates.";
            }

            if (trendGate >= 0)
            {
                var gate = policy.Gates[trendGate];
                decision.Trend = TrendAnalyzer.Summarize(TrendPointsOf(statuses, trendGate * steps, trendValues!, trendFirst, startMs, stepMs, steps), new TrendOptions { Threshold = gate.Threshold });
                if (decision.Verdict != PromotionVerdict.Rollback && decision.Trend.Verdict == TrendVerdict.Rising)
                {
                    decision.Verdict = PromotionVerdict.Rollback;
                    decision.Reason = $"{gate.Name} is Rising over the last {PrometheusDuration.Format(decision.Trend.Duration)} (Mann-Kendall tau {decision.Trend.MannKendall.Tau:0.###}, p {decision.Trend.MannKendall.PValue:0.####}; "
                        + $"Theil-Sen slope {decision.Trend.TheilSenSlopePerMinute:+0.#####;-0.#####} per minute). The rollback rule rolls back on a rising {gate.Name} before it crosses {PrometheusValue.Format(gate.Threshold)}.";
                }
            }
            if (decision.Verdict == PromotionVerdict.Rollback) return decision;

            var sustainedSteps = policy.Sustained.Ticks / policy.Step.Ticks + 1;
            if (streak >= sustainedSteps)
            {
                decision.Verdict = PromotionVerdict.Promote;
                decision.Reason = $"Every gate has passed at every step since {GateEvaluator.Clock(decision.StreakStart!.Value)}: {PrometheusDuration.Format(decision.StreakLength)}, at least the {PrometheusDuration.Format(policy.Sustained)} the promotion rule needs.";
                return decision;
            }

            decision.Verdict = PromotionVerdict.Hold;
            var windowLength = TimeSpan.FromMilliseconds((steps - 1) * stepMs);
            if (streak > 0)
            {
                decision.Remaining = policy.Sustained - decision.StreakLength;
                decision.Reason = $"Every gate passes, for {PrometheusDuration.Format(decision.StreakLength)} so far (since {GateEvaluator.Clock(decision.StreakStart!.Value)}); {PrometheusDuration.Format(decision.Remaining)} more are needed for the {PrometheusDuration.Format(policy.Sustained)} the promotion rule asks.";
                if (windowLength < policy.Sustained)
                    decision.Reason += $" The window evaluated ({PrometheusDuration.Format(windowLength)}) is shorter than that; evaluate a longer one (-Since).";
            }
            else
            {
                decision.Remaining = policy.Sustained;
                decision.Reason = $"Not every gate passes now: {string.Join("; ", decision.Missing)}. Promotion needs every gate passing for {PrometheusDuration.Format(policy.Sustained)}.";
            }
            if (decision.Trend != null && decision.Trend.Verdict == TrendVerdict.InsufficientData)
                decision.Reason += $" The {policy.TrendGate} trend has too few fresh samples to judge ({decision.Trend.Samples}).";
            return decision;
        }

        /// <summary>
        /// Each gate's passing and violated steps, the all-pass streak ending at the latest step, and the first run of steps,
        /// each with enough counted gates, that lasted the consecutive span (-1 when none).
        /// </summary>
        private static void Tally(GatePolicy policy, GateStatus[] statuses, int steps, long stepMs, int[] passSteps, int[] violatedSteps, out int streak, out int runStart, out int runEnd)
        {
            int gates = passSteps.Length;
            // Per step: how many gates do not pass, and how many count towards a rollback.
            var failing = ArrayPool<int>.Shared.Rent(steps);
            var counted = ArrayPool<int>.Shared.Rent(steps);
            Array.Clear(failing, 0, steps);
            Array.Clear(counted, 0, steps);
            for (int g = 0; g < gates; g++)
            {
                CountSteps(new ReadOnlySpan<GateStatus>(statuses, g * steps, steps), policy.RollbackCountsMissingData, failing, counted, out int notPassing, out violatedSteps[g]);
                passSteps[g] = steps - notPassing;
            }

            long needed = (long)policy.RollbackConsecutive.TotalMilliseconds;
            int countedNeeded = policy.RollbackMinViolatedGates;
            streak = 0;
            runStart = -1;
            runEnd = -1;
            int open = -1;
            // Without branches on the counts, which are as unpredictable as the data.
            for (int i = 0; i < steps; i++)
            {
                streak = failing[i] == 0 ? streak + 1 : 0;
                bool enough = counted[i] >= countedNeeded;
                // The run that ends before this step, if one does.
                int ended = enough ? -1 : open;
                open = enough ? (open < 0 ? i : open) : -1;
                if ((ended >= 0) & ((long)(i - 1 - ended) * stepMs >= needed) & (runEnd < 0))
                {
                    runStart = ended;
                    runEnd = i - 1;
                }
            }
            if (open >= 0 && runEnd < 0 && (long)(steps - 1 - open) * stepMs >= needed)
            {
                runStart = open;
                runEnd = steps - 1;
            }
            if (gates == 0) streak = 0;
            ArrayPool<int>.Shared.Return(failing);
            ArrayPool<int>.Shared.Return(counted);
        }

        /// <summary>
        /// Adds one gate's steps to the per-step counts of gates that do not pass and of gates that count towards a rollback,
        /// a vector of steps at a time, and counts the gate's steps that do not pass and that are Violated.
        /// </summary>
        private static void CountSteps(ReadOnlySpan<GateStatus> gate, bool countsMissing, Span<int> failing, Span<int> counted, out int notPassing, out int violated)
        {
            var bytes = MemoryMarshal.Cast<GateStatus, byte>(gate);
            int blocks = bytes.Length / Vector<byte>.Count, vectorSteps = blocks * Vector<byte>.Count;
            var statusBlocks = MemoryMarshal.Cast<byte, Vector<byte>>(bytes.Slice(0, vectorSteps));
            // A block of byte-sized statuses widens into four blocks of int counts.
            var failingBlocks = MemoryMarshal.Cast<int, Vector<int>>(failing.Slice(0, vectorSteps));
            var countedBlocks = MemoryMarshal.Cast<int, Vector<int>>(counted.Slice(0, vectorSteps));
            var pass = new Vector<byte>((byte)GateStatus.Pass);
            var isViolated = new Vector<byte>((byte)GateStatus.Violated);
            var notPassingTotal = Vector<int>.Zero;
            var violatedTotal = Vector<int>.Zero;
            for (int b = 0; b < blocks; b++)
            {
                // Equals gives all ones (255) where equal: 1 per step that does not pass, and per step that is Violated.
                var fails = WidenToInt(Vector<byte>.One - (Vector.Equals(statusBlocks[b], pass) & Vector<byte>.One));
                var violations = WidenToInt(Vector.Equals(statusBlocks[b], isViolated) & Vector<byte>.One);
                var counts = countsMissing ? fails : violations;
                failingBlocks[4 * b] += fails.First;
                failingBlocks[4 * b + 1] += fails.Second;
                failingBlocks[4 * b + 2] += fails.Third;
                failingBlocks[4 * b + 3] += fails.Fourth;
                countedBlocks[4 * b] += counts.First;
                countedBlocks[4 * b + 1] += counts.Second;
                countedBlocks[4 * b + 2] += counts.Third;
                countedBlocks[4 * b + 3] += counts.Fourth;
                notPassingTotal += fails.First + fails.Second + fails.Third + fails.Fourth;
                violatedTotal += violations.First + violations.Second + violations.Third + violations.Fourth;
            }
            notPassing = Vector.Dot(notPassingTotal, Vector<int>.One);
            violated = Vector.Dot(violatedTotal, Vector<int>.One);
            for (int i = vectorSteps; i < gate.Length; i++)
            {
                int fail = gate[i] == GateStatus.Pass ? 0 : 1;
                int violation = gate[i] == GateStatus.Violated ? 1 : 0;
                failing[i] += fail;
                counted[i] += countsMissing ? fail : violation;
                notPassing += fail;
                violated += violation;
            }
        }

        /// <summary>The bytes of a vector as ints, in order: four vectors of a quarter each.</summary>
        private static (Vector<int> First, Vector<int> Second, Vector<int> Third, Vector<int> Fourth) WidenToInt(Vector<byte> bytes)
        {
            Vector.Widen(bytes, out Vector<ushort> low, out Vector<ushort> high);
            Vector.Widen(low, out Vector<uint> first, out Vector<uint> second);
            Vector.Widen(high, out Vector<uint> third, out Vector<uint> fourth);
            return (Vector.AsVectorInt32(first), Vector.AsVectorInt32(second), Vector.AsVectorInt32(third), Vector.AsVectorInt32(fourth));
        }

        private static bool Counts(GatePolicy policy, GateStatus status) =>
            status == GateStatus.Violated || (policy.RollbackCountsMissingData && status != GateStatus.Pass);

        /// <summary>The gates counted towards the rollback at some step of the run, in policy order.</summary>
        private static List<string> GatesCountedIn(GatePolicy policy, GateStatus[] statuses, int steps, int runStart, int runEnd)
        {
            var names = new List<string>();
            for (int g = 0; g < policy.Gates.Count; g++)
            {
                for (int i = g * steps + runStart; i <= g * steps + runEnd; i++)
                {
                    if (!Counts(policy, statuses[i])) continue;
                    names.Add(policy.Gates[g].Name);
                    break;
                }
            }
            return names;
        }

        /// <summary>
        /// Each step's status for one gate, judged as <see cref="GateEvaluator"/> judges an instant, into
        /// <paramref name="statuses"/> from <paramref name="offset"/> on; for the trend gate also its value at each step from
        /// <paramref name="trendFirst"/> on.
        /// </summary>
        private static void StepStatuses(GateDefinition gate, GateRangeAnswer answer, long startMs, long stepMs, int steps, GateStatus[] statuses, int offset, double[]? trendValues, int trendFirst)
        {
            if (answer.Values == null || answer.Times == null)
            {
                for (int i = 0; i < steps; i++) statuses[offset + i] = GateStatus.QueryError;
                return;
            }
            // Series per step, needed only when there can be more than one.
            int[]? counts = null;
            if (answer.Values.Count > 1 && gate.ExactlyOneSeries)
            {
                counts = new int[steps];
                foreach (var series in answer.Values)
                {
                    foreach (var sample in AsArray(series.Samples))
                    {
                        long i = StepOf(sample.UnixTimeMilliseconds, startMs, stepMs, steps);
                        if (i >= 0) counts[i]++;
                    }
                }
            }
            var judge = new GateJudge(gate);
            // Steps before this one hold a status or NoData; the ones after it nothing yet.
            int reached = 0;
            foreach (var series in answer.Values)
            {
                var samples = AsArray(series.Samples);
                var times = TimesOf(series.Labels, answer.Times);
                var stamps = times == null ? Array.Empty<PrometheusSample>() : AsArray(times.Samples);
                reached = JudgeSeries(judge, samples, stamps, startMs, stepMs, steps, statuses, offset, reached);
                if (trendValues != null) TrendValues(samples, startMs, stepMs, steps, trendValues, trendFirst);
            }
            for (int i = reached; i < steps; i++) statuses[offset + i] = GateStatus.NoData;
            if (counts == null) return;
            // Several series at a step: its status whatever each of them says.
            for (int i = 0; i < steps; i++)
            {
                if (counts[i] > 1) statuses[offset + i] = GateStatus.MultipleSeries;
            }
        }

        /// <summary>
        /// Judges each value of one series at its step into <paramref name="statuses"/>. Steps from <paramref name="reached"/>
        /// on have no status yet: a range answer comes in step order, so a step is usually met first here, and the steps it
        /// skipped become NoData on the way. Returns how far the steps are reached now.
        /// </summary>
        private static int JudgeSeries(GateJudge judge, PrometheusSample[] samples, PrometheusSample[] stamps, long startMs, long stepMs, int steps, GateStatus[] statuses, int offset, int reached)
        {
            double[]? timesByStep = null;
            long reachedMs = startMs + reached * stepMs;
            for (int k = 0; k < samples.Length; k++)
            {
                long ms = samples[k].UnixTimeMilliseconds;
                int i;
                if (ms == reachedMs && reached < steps)
                {
                    i = reached;
                }
                else
                {
                    long step = StepOf(ms, startMs, stepMs, steps);
                    if (step < 0) continue;
                    i = (int)step;
                }
                // timestamp() of the same query has the same steps, so its k-th sample is usually this value's.
                double sampleMs = k < stamps.Length && stamps[k].UnixTimeMilliseconds == ms
                    ? Milliseconds(stamps[k].Value)
                    : (timesByStep ??= TimesByStep(stamps, startMs, stepMs, steps))[i];
                var status = judge.Classify(samples[k].Value, sampleMs, ms);
                if (i >= reached)
                {
                    for (int gap = reached; gap < i; gap++) statuses[offset + gap] = GateStatus.NoData;
                    statuses[offset + i] = status;
                    reached = i + 1;
                    reachedMs = ms + stepMs;
                }
                else
                {
                    // A step another series (or a repeated timestamp) judged: the first status that does not pass stays.
                    ref var judged = ref statuses[offset + i];
                    if (judged == GateStatus.NoData || judged == GateStatus.Pass) judged = status;
                }
            }
            return reached;
        }

        /// <summary>The sample time at each step in milliseconds, NaN (unknown) where timestamp() gave none.</summary>
        private static double[] TimesByStep(PrometheusSample[] stamps, long startMs, long stepMs, int steps)
        {
            var times = new double[steps];
            for (int i = 0; i < steps; i++) times[i] = double.NaN;
            foreach (var stamp in stamps)
            {
                long i = StepOf(stamp.UnixTimeMilliseconds, startMs, stepMs, steps);
                if (i >= 0) times[i] = Milliseconds(stamp.Value);
            }
            return times;
        }

        /// <summary>The series' values at the steps of the trend window; a later series overwrites an earlier one.</summary>
        private static void TrendValues(PrometheusSample[] samples, long startMs, long stepMs, int steps, double[] trendValues, int trendFirst)
        {
            long firstMs = startMs + trendFirst * stepMs;
            foreach (var sample in samples)
            {
                if (sample.UnixTimeMilliseconds < firstMs) continue;
                long i = StepOf(sample.UnixTimeMilliseconds, startMs, stepMs, steps);
                if (i >= 0) trendValues[i - trendFirst] = sample.Value;
            }
        }

        /// <summary>The step a sample belongs to, or -1 when it is not on a step of the window.</summary>
        private static long StepOf(long ms, long startMs, long stepMs, int steps)
        {
            long offset = ms - startMs;
            if (offset < 0) return -1;
            long i = offset / stepMs;
            return i * stepMs == offset && i < steps ? i : -1;
        }

        /// <summary>timestamp()'s seconds as whole milliseconds, the server's resolution (NaN and ±Inf stay as they are).</summary>
        private static double Milliseconds(double unixSeconds) => Math.Round(unixSeconds * 1000);

        private static PrometheusSample[] AsArray(IReadOnlyList<PrometheusSample> samples) => samples as PrometheusSample[] ?? samples.ToArray();

        private static PrometheusRangeSeries? TimesOf(LabelSet labels, IReadOnlyList<PrometheusRangeSeries> times)
        {
            // timestamp() drops the metric name. Even a single times series must match: another series' times are not these.
            var key = labels.WithoutMetricName();
            foreach (var series in times)
            {
                if (series.Labels.WithoutMetricName().Equals(key)) return series;
            }
            return null;
        }

        /// <summary>The trend gate's fresh values (one fresh series: Pass or Violated) over the trend window ending at the latest step.</summary>
        private static TrendPoint[] TrendPointsOf(GateStatus[] statuses, int offset, double[] trendValues, int trendFirst, long startMs, long stepMs, int steps)
        {
            int count = 0;
            for (int i = trendFirst; i < steps; i++)
            {
                if (IsFresh(statuses[offset + i])) count++;
            }
            var points = new TrendPoint[count];
            int n = 0;
            for (int i = trendFirst; i < steps; i++)
            {
                if (IsFresh(statuses[offset + i])) points[n++] = new TrendPoint(DateTimeOffset.FromUnixTimeMilliseconds(startMs + i * stepMs), trendValues[i - trendFirst]);
            }
            return points;
        }

        private static bool IsFresh(GateStatus status) => status == GateStatus.Pass || status == GateStatus.Violated;
    }

    /// <summary>A gate's two range answers (values and their timestamp()); null with an error when the query failed.</summary>
    internal readonly struct GateRangeAnswer
    {
        public GateRangeAnswer(IReadOnlyList<PrometheusRangeSeries>? values, IReadOnlyList<PrometheusRangeSeries>? times, string? error)
        {
            Values = values;
            Times = times;
            Error = error;
        }

        public IReadOnlyList<PrometheusRangeSeries>? Values { get; }

        public IReadOnlyList<PrometheusRangeSeries>? Times { get; }

        public string? Error { get; }
    }
}
