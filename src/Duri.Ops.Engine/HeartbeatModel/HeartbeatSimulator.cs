using System;
using System.Runtime.CompilerServices;

namespace Duri.Ops.Engine.HeartbeatModel
{
    /// <summary>The options in whole milliseconds, as Prometheus keeps time.</summary>
    internal readonly struct SimulationParameters
    {
        public SimulationParameters(HeartbeatAlarmOptions o)
        {
            Heartbeat = Ms(o.HeartbeatInterval);
            Scrape = Ms(o.ScrapeInterval);
            Evaluation = Ms(o.EffectiveEvaluationInterval);
            Window = Ms(o.Window);
            Freshness = Ms(o.Freshness);
            WriterTime = o.FreshnessOn == FreshnessReference.WriterTime;
            SkipsStaleness = o.FreshnessOn == FreshnessReference.ScrapeRange;
            MissedScrape = o.MissedScrapeProbability;
            MissedBeat = o.MissedBeatProbability;
            WriterJitter = Ms(o.Jitter);
            ScrapeJitter = Ms(o.ScrapeJitter);
            ScrapeDuration = Ms(o.ScrapeDuration);
            Lookback = Ms(o.LookbackDelta);
            Resolution = Math.Max(1, Ms(o.Resolution));
        }

        public long Heartbeat { get; }
        public long Scrape { get; }
        public long Evaluation { get; }
        public long Window { get; }
        public long Freshness { get; }
        public bool WriterTime { get; }
        public bool SkipsStaleness { get; }
        public double MissedScrape { get; }
        public double MissedBeat { get; }
        public long WriterJitter { get; }
        public long ScrapeJitter { get; }
        public long ScrapeDuration { get; }
        public long Lookback { get; }
        public long Resolution { get; }

        /// <summary>Simulated time before evaluations count: every window and lookback is filled with steady-state samples.</summary>
        public long WarmUp => Window + Lookback + 2 * (Heartbeat + Scrape + Evaluation) + WriterJitter + ScrapeJitter + ScrapeDuration;

        private static long Ms(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMillisecond;
    }

    /// <summary>Where writer, scraper and evaluator start within their periods.</summary>
    internal readonly struct PhaseOffsets
    {
        public PhaseOffsets(long writer, long scraper, long evaluator)
        {
            Writer = writer;
            Scraper = scraper;
            Evaluator = evaluator;
        }

        public long Writer { get; }
        public long Scraper { get; }
        public long Evaluator { get; }
    }

    /// <summary>
    /// Receives each evaluation (and, for traces, each sample). Implemented by structs so the JIT specialises the loop
    /// per receiver and inlines the calls: no allocation and no virtual call per event.
    /// </summary>
    internal interface IEvaluationSink
    {
        /// <param name="time">Evaluation time, ms.</param>
        /// <param name="requiredWindow">The least window in which changes() is at least 1 (the span back to the sample before the latest change); long.MaxValue when no change was seen.</param>
        /// <param name="age">What the freshness guard computes, ms; long.MaxValue when the instant lookup finds nothing (stale or older than the lookback).</param>
        /// <param name="writerStopped">The writer has written its last beat.</param>
        /// <returns>false to end the run.</returns>
        bool Evaluate(long time, long requiredWindow, long age, bool writerStopped);

        /// <summary>A sample ingested: timestamp, the writer's beat time it carries (ms), or a staleness marker.</summary>
        void Sample(long timestamp, long beat, bool stale);
    }

    /// <summary>SplitMix64: small, fast, and the same sequence on every platform for a seed.</summary>
    internal struct SplitMix64
    {
        private ulong _state;

        public SplitMix64(ulong seed) => _state = seed;

        public static ulong Mix(ulong seed, ulong stream)
        {
            var rng = new SplitMix64(seed ^ (stream * 0xD1B54A32D192ED03UL));
            rng.Next();
            return rng.Next();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform in [0, 1).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Uniform in [0, span) on the resolution grid; 0 when span is 0.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long Delay(long span, long resolution) => span <= 0 ? 0 : (long)(NextDouble() * span) / resolution * resolution;
    }

    /// <summary>
    /// The heartbeat chain as Prometheus 2.42 sees it, event by event: writer beats, scrapes (sample timestamped at the
    /// scrape's start, ingested at its end; a failed scrape writes a staleness marker for the target's series), and rule
    /// evaluations. At an evaluation at t:
    /// <list type="bullet">
    /// <item>changes(x[W]) counts value changes between the non-stale samples with timestamps in [t - W, t] (2.x range
    /// selectors include both ends; staleness markers are skipped), so it is at least 1 exactly when the sample before
    /// the latest change is at or after t - W;</item>
    /// <item>the instant lookup takes the latest sample in [t - lookback, t] and finds nothing when it is a staleness
    /// marker; the freshness guard is then absent and the heartbeat not Ok;</item>
    /// <item>count_over_time(x[F]) is at least 1 while a non-stale sample has a timestamp in [t - F, t].</item>
    /// </list>
    /// </summary>
    internal static class HeartbeatSimulator
    {
        /// <summary>
        /// Simulates from time 0 until the last evaluation at or before end, or until the sink ends the run; evaluations
        /// before firstCounted are not passed on. The writer stops after beat lastBeatIndex (long.MaxValue: never);
        /// lastBeatTime is when its last beat was written, ms (long.MinValue when none was).
        /// </summary>
        public static void Run<TSink>(in SimulationParameters p, in PhaseOffsets phase, ulong seed, long firstCounted, long end, long lastBeatIndex, ref TSink sink, out long lastBeatTime)
            where TSink : struct, IEvaluationSink
        {
            var rng = new SplitMix64(seed);
            long res = p.Resolution;
            bool drawsMissedBeats = p.MissedBeat > 0, drawsMissedScrapes = p.MissedScrape > 0;

            long beatIndex = 0;
            long nextBeat = phase.Writer + rng.Delay(p.WriterJitter, res);
            long written = long.MinValue;
            bool stopped = false;

            long scrapeIndex = 0;
            long scrapeStart = phase.Scraper + rng.Delay(p.ScrapeJitter, res);
            long nextIngest = scrapeStart + p.ScrapeDuration;

            long evaluationIndex = 0;
            long evaluation = phase.Evaluator;

            // The series as stored: the latest sample (maybe a staleness marker), the latest real value and its
            // timestamp, and the timestamp of the real sample just before the latest change.
            long latestTimestamp = long.MinValue;
            bool latestStale = true;
            long latestValue = long.MinValue;
            long latestValueTimestamp = long.MinValue;
            long beforeLatestChange = long.MinValue;

            while (evaluation <= end)
            {
                if (nextBeat <= nextIngest && nextBeat <= evaluation)
                {
                    if (!drawsMissedBeats || rng.NextDouble() >= p.MissedBeat) written = nextBeat;
                    if (beatIndex >= lastBeatIndex)
                    {
                        stopped = true;
                        nextBeat = long.MaxValue;
                    }
                    else
                    {
                        beatIndex++;
                        nextBeat = phase.Writer + beatIndex * p.Heartbeat + rng.Delay(p.WriterJitter, res);
                    }
                    continue;
                }
                if (nextIngest <= evaluation)
                {
                    bool failed = written == long.MinValue || (drawsMissedScrapes && rng.NextDouble() < p.MissedScrape);
                    if (failed)
                    {
                        // Prometheus marks the series of the previous scrape stale; a series already stale gets no second marker.
                        if (!latestStale)
                        {
                            latestTimestamp = scrapeStart;
                            latestStale = true;
                            sink.Sample(scrapeStart, 0, stale: true);
                        }
                    }
                    else
                    {
                        if (latestValueTimestamp != long.MinValue && written != latestValue) beforeLatestChange = latestValueTimestamp;
                        latestValue = written;
                        latestValueTimestamp = scrapeStart;
                        latestTimestamp = scrapeStart;
                        latestStale = false;
                        sink.Sample(scrapeStart, written, stale: false);
                    }
                    scrapeIndex++;
                    scrapeStart = phase.Scraper + scrapeIndex * p.Scrape + rng.Delay(p.ScrapeJitter, res);
                    nextIngest = scrapeStart + p.ScrapeDuration;
                    continue;
                }
                if (evaluation >= firstCounted)
                {
                    long requiredWindow = beforeLatestChange == long.MinValue ? long.MaxValue : evaluation - beforeLatestChange;
                    long age = p.SkipsStaleness ? (latestValueTimestamp == long.MinValue ? long.MaxValue : evaluation - latestValueTimestamp)
                        : latestStale || latestTimestamp < evaluation - p.Lookback ? long.MaxValue
                        : evaluation - (p.WriterTime ? latestValue : latestTimestamp);
                    if (!sink.Evaluate(evaluation, requiredWindow, age, stopped)) break;
                }
                evaluationIndex++;
                evaluation = phase.Evaluator + evaluationIndex * p.Evaluation;
            }
            lastBeatTime = written;
        }
    }

    /// <summary>
    /// Counts flagged evaluations and false-alarm episodes for one window and freshness. An episode is a change from Ok
    /// to flagged, so a run that starts flagged (or never stops being flagged) adds no page to the count.
    /// </summary>
    internal struct AlarmCounter : IEvaluationSink
    {
        private readonly long _window;
        private readonly long _freshness;
        private bool _previousFlagged;

        public AlarmCounter(long window, long freshness)
        {
            _window = window;
            _freshness = freshness;
            _previousFlagged = true;
            Evaluations = 0;
            Flagged = 0;
            Episodes = 0;
        }

        public long Evaluations;
        public long Flagged;
        public long Episodes;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Evaluate(long time, long requiredWindow, long age, bool writerStopped)
        {
            bool flagged = requiredWindow > _window || age > _freshness;
            Evaluations++;
            if (flagged)
            {
                Flagged++;
                if (!_previousFlagged) Episodes++;
            }
            _previousFlagged = flagged;
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Sample(long timestamp, long beat, bool stale)
        {
        }
    }

    /// <summary>Keeps what each evaluation needed (window and age), so any window and freshness can be scored afterwards.</summary>
    internal struct EvaluationRecorder : IEvaluationSink
    {
        private readonly long[] _requiredWindows;
        private readonly long[] _ages;

        public EvaluationRecorder(long[] requiredWindows, long[] ages, int start)
        {
            _requiredWindows = requiredWindows;
            _ages = ages;
            Count = start;
        }

        public int Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Evaluate(long time, long requiredWindow, long age, bool writerStopped)
        {
            if (Count == _ages.Length) return false;
            _requiredWindows[Count] = requiredWindow;
            _ages[Count] = age;
            Count++;
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Sample(long timestamp, long beat, bool stale)
        {
        }
    }

    /// <summary>Ends the run at the first flagged evaluation after the writer's last beat.</summary>
    internal struct DetectionProbe : IEvaluationSink
    {
        private readonly long _window;
        private readonly long _freshness;

        public DetectionProbe(long window, long freshness)
        {
            _window = window;
            _freshness = freshness;
            DetectedAt = long.MinValue;
        }

        public long DetectedAt;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Evaluate(long time, long requiredWindow, long age, bool writerStopped)
        {
            if (!writerStopped || (requiredWindow <= _window && age <= _freshness)) return true;
            DetectedAt = time;
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Sample(long timestamp, long beat, bool stale)
        {
        }
    }
}
