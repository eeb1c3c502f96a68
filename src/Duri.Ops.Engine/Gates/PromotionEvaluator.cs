using System;
using System.Collections.Generic;
using System.Linq;
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
                .Select(gate => connection.QueryRangeAsync(GateEvaluator.WithSampleTimes(gate.QueryFor(policy.Realm)), window.Start, window.End, policy.Step, timeout, cancellationToken))
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

        /// <summary>A gate's combined range answer split into its values and their sample times.</summary>
        internal static GateRangeAnswer Split(PrometheusQueryResult answer)
        {
            var values = new List<PrometheusRangeSeries>(1);
            var times = new List<PrometheusRangeSeries>(1);
            foreach (var series in answer.Matrix)
            {
                var labels = GateEvaluator.WithoutPart(series.Labels, out bool isTime);
                (isTime ? times : values).Add(new PrometheusRangeSeries(labels, series.Samples));
            }
            return new GateRangeAnswer(values, times, null);
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
            long startMs = start.ToUnixTimeMilliseconds();
            long stepMs = (long)policy.Step.TotalMilliseconds;
            var statuses = new GateStatus[policy.Gates.Count][];
            var histories = new GateHistory[policy.Gates.Count];
            TrendPoint[]? trendPoints = null;
            for (int g = 0; g < policy.Gates.Count; g++)
            {
                var gate = policy.Gates[g];
                bool isTrendGate = gate.Name == policy.TrendGate;
                double[]? values = isTrendGate ? new double[steps] : null;
                statuses[g] = StepStatuses(gate, answers[g], startMs, stepMs, steps, values);
                histories[g] = Summarize(gate.Name, statuses[g], answers[g].Error);
                if (values != null)
                {
                    trendPoints = TrendPointsOf(statuses[g], values, startMs, stepMs, steps, policy.TrendWindow);
                }
            }

            var decision = new PromotionDecision
            {
                EvaluatedAt = DateTimeOffset.FromUnixTimeMilliseconds(startMs + (steps - 1) * stepMs),
                WindowStart = start,
                Step = policy.Step,
                Steps = steps,
                Sustained = policy.Sustained,
                Gates = histories,
                Realm = policy.Realm,
                PolicyPath = policy.Source,
            };
            decision.Missing = Enumerable.Range(0, policy.Gates.Count)
                .Where(g => statuses[g][steps - 1] != GateStatus.Pass)
                .Select(g => $"{policy.Gates[g].Name} {statuses[g][steps - 1]}" + (histories[g].Error != null ? ": " + histories[g].Error : string.Empty))
                .ToList();

            // The streak ending at the latest step.
            int streak = 0;
            for (int i = steps - 1; i >= 0 && Holds(statuses, i); i--) streak++;
            if (streak > 0)
            {
                decision.StreakStart = DateTimeOffset.FromUnixTimeMilliseconds(startMs + (steps - streak) * stepMs);
                decision.StreakLength = TimeSpan.FromMilliseconds((streak - 1) * stepMs);
            }

            if (FindViolationRun(policy, statuses, steps, stepMs, out int runStart, out int runEnd))
            {
                decision.Verdict = PromotionVerdict.Rollback;
                decision.RollbackFrom = DateTimeOffset.FromUnixTimeMilliseconds(startMs + runStart * stepMs);
                decision.RollbackTo = DateTimeOffset.FromUnixTimeMilliseconds(startMs + runEnd * stepMs);
                decision.RollbackGates = Enumerable.Range(0, policy.Gates.Count)
                    .Where(g => Enumerable.Range(runStart, runEnd - runStart + 1).Any(i => Counts(policy, statuses[g][i])))
                    .Select(g => policy.Gates[g].Name).ToList();
                var lasted = TimeSpan.FromMilliseconds((runEnd - runStart) * stepMs);
                decision.Reason = $"{string.Join(", ", decision.RollbackGates)} failed together ({policy.RollbackMinViolatedGates} or more at every step) from {GateEvaluator.Clock(decision.RollbackFrom.Value)} to {GateEvaluator.Clock(decision.RollbackTo.Value)}, "
                    + $"{PrometheusDuration.Format(lasted)}, reaching the rollback rule's {PrometheusDuration.Format(policy.RollbackConsecutive)}. Roll back, then look at those gates.";
            }

            if (trendPoints != null)
            {
                var gate = policy.Gate(policy.TrendGate!)!;
                decision.Trend = TrendAnalyzer.Summarize(trendPoints, new TrendOptions { Threshold = gate.Threshold });
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

        private static bool Holds(GateStatus[][] statuses, int step)
        {
            foreach (var gate in statuses)
            {
                if (gate[step] != GateStatus.Pass) return false;
            }
            return statuses.Length > 0;
        }

        private static bool Counts(GatePolicy policy, GateStatus status) =>
            status == GateStatus.Violated || (policy.RollbackCountsMissingData && status != GateStatus.Pass);

        /// <summary>The first run of steps, each with enough counted gates, that lasted the consecutive span.</summary>
        private static bool FindViolationRun(GatePolicy policy, GateStatus[][] statuses, int steps, long stepMs, out int runStart, out int runEnd)
        {
            long needed = (long)policy.RollbackConsecutive.TotalMilliseconds;
            runStart = -1;
            runEnd = -1;
            int start = -1;
            for (int i = 0; i <= steps; i++)
            {
                int counted = 0;
                if (i < steps)
                {
                    foreach (var gate in statuses)
                    {
                        if (Counts(policy, gate[i])) counted++;
                    }
                }
                if (i < steps && counted >= policy.RollbackMinViolatedGates)
                {
                    if (start < 0) start = i;
                    continue;
                }
                if (start >= 0 && (long)(i - 1 - start) * stepMs >= needed)
                {
                    runStart = start;
                    runEnd = i - 1;
                    return true;
                }
                start = -1;
            }
            return false;
        }

        /// <summary>Each step's status for one gate, judged as <see cref="GateEvaluator"/> judges an instant.</summary>
        internal static GateStatus[] StepStatuses(GateDefinition gate, GateRangeAnswer answer, long startMs, long stepMs, int steps, double[]? values)
        {
            var result = new GateStatus[steps];
            if (answer.Values == null || answer.Times == null)
            {
                for (int i = 0; i < steps; i++) result[i] = GateStatus.QueryError;
                return result;
            }
            // Series per step, needed only when there can be more than one.
            int[]? counts = null;
            if (answer.Values.Count > 1)
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
            var seen = new bool[steps];
            long[]? sampleTimes = null;
            foreach (var series in answer.Values)
            {
                var samples = AsArray(series.Samples);
                var times = TimesOf(series.Labels, answer.Times);
                var stamps = times == null ? null : AsArray(times.Samples);
                // timestamp() of the same query has the same steps, so its k-th sample belongs to the k-th value;
                // only when it does not are the times laid out by step first.
                bool aligned = stamps != null && stamps.Length == samples.Length;
                for (int k = 0; aligned && k < samples.Length; k++) aligned = stamps![k].UnixTimeMilliseconds == samples[k].UnixTimeMilliseconds;
                if (!aligned)
                {
                    sampleTimes ??= new long[steps];
                    for (int i = 0; i < steps; i++) sampleTimes[i] = GateEvaluator.UnknownTime;
                    foreach (var sample in stamps ?? Array.Empty<PrometheusSample>())
                    {
                        long i = StepOf(sample.UnixTimeMilliseconds, startMs, stepMs, steps);
                        if (i >= 0) sampleTimes[i] = ToMilliseconds(sample.Value);
                    }
                }
                long next = 0;
                for (int k = 0; k < samples.Length; k++)
                {
                    long ms = samples[k].UnixTimeMilliseconds;
                    // Range answers come in step order: try the step after the last one before dividing.
                    long i = next < steps && startMs + next * stepMs == ms ? next : StepOf(ms, startMs, stepMs, steps);
                    if (i < 0) continue;
                    next = i + 1;
                    long sampleMs = aligned ? ToMilliseconds(stamps![k].Value) : sampleTimes![i];
                    double value = samples[k].Value;
                    GateStatus status = counts != null && counts[i] > 1 && gate.ExactlyOneSeries
                        ? GateStatus.MultipleSeries
                        : GateEvaluator.Classify(gate, value, sampleMs, ms);
                    if (!seen[i] || result[i] == GateStatus.Pass) result[i] = status;
                    seen[i] = true;
                    if (values != null) values[i] = value;
                }
            }
            for (int i = 0; i < steps; i++)
            {
                if (!seen[i]) result[i] = GateStatus.NoData;
            }
            return result;
        }

        /// <summary>The step a sample belongs to, or -1 when it is not on a step of the window.</summary>
        private static long StepOf(long ms, long startMs, long stepMs, int steps)
        {
            long offset = ms - startMs;
            if (offset < 0) return -1;
            long i = offset / stepMs;
            return i * stepMs == offset && i < steps ? i : -1;
        }

        private static long ToMilliseconds(double unixSeconds) =>
            double.IsNaN(unixSeconds) || double.IsInfinity(unixSeconds) ? GateEvaluator.UnknownTime : (long)Math.Round(unixSeconds * 1000);

        private static PrometheusSample[] AsArray(IReadOnlyList<PrometheusSample> samples) => samples as PrometheusSample[] ?? samples.ToArray();

        private static PrometheusRangeSeries? TimesOf(LabelSet labels, IReadOnlyList<PrometheusRangeSeries> times)
        {
            // timestamp() drops the metric name; one series is the usual case and needs no comparison.
            if (times.Count == 1) return times[0];
            var key = labels.WithoutMetricName();
            foreach (var series in times)
            {
                if (series.Labels.WithoutMetricName().Equals(key)) return series;
            }
            return null;
        }

        /// <summary>The trend gate's fresh values (one fresh series: Pass or Violated) over the trend window ending at the latest step.</summary>
        private static TrendPoint[] TrendPointsOf(GateStatus[] statuses, double[] values, long startMs, long stepMs, int steps, TimeSpan trendWindow)
        {
            int first = Math.Max(0, steps - 1 - (int)((long)trendWindow.TotalMilliseconds / stepMs));
            var points = new List<TrendPoint>(steps - first);
            for (int i = first; i < steps; i++)
            {
                if (statuses[i] == GateStatus.Pass || statuses[i] == GateStatus.Violated)
                    points.Add(new TrendPoint(DateTimeOffset.FromUnixTimeMilliseconds(startMs + i * stepMs), values[i]));
            }
            return points.ToArray();
        }

        private static GateHistory Summarize(string name, GateStatus[] statuses, string? error)
        {
            var history = new GateHistory { Name = name, Current = statuses[statuses.Length - 1], Error = error };
            foreach (var status in statuses)
            {
                if (status == GateStatus.Pass) history.PassSteps++;
                else if (status == GateStatus.Violated) history.ViolatedSteps++;
                else history.MissingSteps++;
            }
            return history;
        }
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
