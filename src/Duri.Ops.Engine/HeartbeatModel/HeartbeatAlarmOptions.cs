using System;
using System.Collections.Generic;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.HeartbeatModel
{
    /// <summary>What the freshness guard measures.</summary>
    public enum FreshnessReference
    {
        /// <summary><c>time() - timestamp(duri_heartbeat_timestamp_seconds) &lt;= F</c>: the age of the last scrape by instant lookup, which a failed scrape's staleness marker hides (the canonical rules).</summary>
        ScrapeTime,

        /// <summary><c>time() - duri_heartbeat_timestamp_seconds &lt;= F</c>: the age of the last beat by the writer's clock (the seed's rules).</summary>
        WriterTime,

        /// <summary><c>count_over_time(duri_heartbeat_timestamp_seconds[F]) &gt;= 1</c>: a sample scraped within F; range selectors skip staleness markers, so failed scrapes count only once F has passed.</summary>
        ScrapeRange,
    }

    /// <summary>A heartbeat configuration and the conditions it is simulated under.</summary>
    public sealed class HeartbeatAlarmOptions
    {
        public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(60);

        public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Rule evaluation interval; defaults to the scrape interval, as the generated rule groups do.</summary>
        public TimeSpan? EvaluationInterval { get; set; }

        /// <summary>The changes() window.</summary>
        public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(6);

        /// <summary>The largest age the freshness guard accepts (<c>&lt;= bool F</c>).</summary>
        public TimeSpan Freshness { get; set; } = TimeSpan.FromSeconds(75);

        public FreshnessReference FreshnessOn { get; set; } = FreshnessReference.ScrapeTime;

        /// <summary>Chance that one scrape fails; Prometheus then marks the target's series stale.</summary>
        public double MissedScrapeProbability { get; set; }

        /// <summary>Chance that the writer skips one beat (a pause of one heartbeat interval).</summary>
        public double MissedBeatProbability { get; set; }

        /// <summary>Each beat is late by a uniform delay in [0, jitter).</summary>
        public TimeSpan Jitter { get; set; }

        /// <summary>Each scrape starts late by a uniform delay in [0, scrape jitter).</summary>
        public TimeSpan ScrapeJitter { get; set; }

        /// <summary>
        /// Time from the scrape's start (the sample's timestamp) to reading the file and ingesting the sample: the value
        /// can be newer than its timestamp, and evaluations inside the scrape do not see it yet.
        /// </summary>
        public TimeSpan ScrapeDuration { get; set; }

        /// <summary>Healthy-writer time simulated in all, spread evenly over the phases.</summary>
        public TimeSpan Duration { get; set; } = TimeSpan.FromDays(30);

        /// <summary>Phase offsets of writer, scraper and evaluator sampled (Latin hypercube over the three periods).</summary>
        public int Phases { get; set; } = 256;

        /// <summary>Writers stopped at random phases to measure the detection time.</summary>
        public int DetectionTrials { get; set; } = 2000;

        public ulong Seed { get; set; } = 1;

        /// <summary>Prometheus' query.lookback-delta.</summary>
        public TimeSpan LookbackDelta { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>The time grid of phases and jitter draws (1 ms, like Prometheus timestamps; 1 s to mirror promtool series).</summary>
        public TimeSpan Resolution { get; set; } = TimeSpan.FromMilliseconds(1);

        public TimeSpan EffectiveEvaluationInterval => EvaluationInterval ?? ScrapeInterval;

        public HeartbeatAlarmOptions Clone() => (HeartbeatAlarmOptions)MemberwiseClone();

        /// <summary>Rejects what cannot be simulated; returns warnings for configurations that are never (or rarely) healthy.</summary>
        /// <exception cref="ArgumentException">An interval is not positive, or a probability or count is out of range.</exception>
        public IReadOnlyList<string> Validate()
        {
            foreach (var (name, value) in new[]
            {
                (nameof(HeartbeatInterval), HeartbeatInterval), (nameof(ScrapeInterval), ScrapeInterval),
                (nameof(EvaluationInterval), EffectiveEvaluationInterval), (nameof(Window), Window),
                (nameof(Freshness), Freshness), (nameof(Duration), Duration), (nameof(LookbackDelta), LookbackDelta),
                (nameof(Resolution), Resolution),
            })
            {
                if (value <= TimeSpan.Zero) throw new ArgumentException($"{name} must be positive; it is {value}.", name);
            }
            foreach (var (name, value) in new[] { (nameof(MissedScrapeProbability), MissedScrapeProbability), (nameof(MissedBeatProbability), MissedBeatProbability) })
            {
                if (!(value >= 0 && value < 1)) throw new ArgumentException($"{name} must be in [0, 1); it is {value}.", name);
            }
            if (Jitter < TimeSpan.Zero || Jitter >= HeartbeatInterval)
                throw new ArgumentException($"Jitter must be at least 0 and less than the heartbeat interval ({Format(HeartbeatInterval)}); it is {Format(Jitter)}.", nameof(Jitter));
            if (ScrapeJitter < TimeSpan.Zero || ScrapeDuration < TimeSpan.Zero || ScrapeJitter + ScrapeDuration >= ScrapeInterval)
                throw new ArgumentException($"Scrape jitter and scrape duration must be at least 0 and together less than the scrape interval ({Format(ScrapeInterval)}).", nameof(ScrapeDuration));
            if (Phases < 1) throw new ArgumentException("At least one phase is needed.", nameof(Phases));
            if (DetectionTrials < 0) throw new ArgumentException("DetectionTrials cannot be negative.", nameof(DetectionTrials));

            var warnings = new List<string>();
            if (Window < ScrapeInterval)
                warnings.Add($"A window of {Format(Window)} is shorter than the scrape interval ({Format(ScrapeInterval)}): changes() never holds two samples, so a healthy writer is flagged at every evaluation.");
            else if (Window < HeartbeatInterval + ScrapeInterval)
                warnings.Add($"A window of {Format(Window)} is shorter than HB + SI ({Format(HeartbeatInterval + ScrapeInterval)}): changes() misses a healthy writer's change at some evaluations.");
            if (Freshness < ScrapeInterval)
                warnings.Add($"A freshness of {Format(Freshness)} is shorter than the scrape interval ({Format(ScrapeInterval)}): between scrapes a healthy target's sample ages past it, so about {Math.Round(100 * (1 - Freshness.TotalSeconds / ScrapeInterval.TotalSeconds))}% or more of evaluations are flagged.");
            if (FreshnessOn == FreshnessReference.WriterTime && Freshness < HeartbeatInterval + ScrapeInterval)
                warnings.Add($"On the writer's timestamp a healthy sample ages up to HB + SI ({Format(HeartbeatInterval + ScrapeInterval)}) before the next one; a freshness of {Format(Freshness)} flags a healthy writer at some phases.");
            return warnings;
        }

        private static string Format(TimeSpan span) => span.Ticks % TimeSpan.TicksPerMillisecond == 0 && span > TimeSpan.Zero ? PrometheusDuration.Format(span) : span.ToString();
    }
}
