using System;
using System.Collections.Generic;

namespace Duri.Ops.Engine.HeartbeatModel
{
    /// <summary>How often a healthy writer is flagged under one heartbeat configuration, and how fast a stopped one is.</summary>
    public sealed class HeartbeatAlarmMeasurement
    {
        internal HeartbeatAlarmMeasurement(HeartbeatAlarmOptions options, long evaluations, long flagged, long episodes,
            double lower, double upper, double worstPhase, TimeSpan[] detection, IReadOnlyList<string> warnings, TimeSpan elapsed)
        {
            HeartbeatInterval = options.HeartbeatInterval;
            ScrapeInterval = options.ScrapeInterval;
            EvaluationInterval = options.EffectiveEvaluationInterval;
            Window = options.Window;
            Freshness = options.Freshness;
            FreshnessOn = options.FreshnessOn;
            MissedScrapeProbability = options.MissedScrapeProbability;
            MissedBeatProbability = options.MissedBeatProbability;
            Jitter = options.Jitter;
            Phases = options.Phases;
            Seed = options.Seed;
            SimulatedTime = options.Duration;
            Evaluations = evaluations;
            FlaggedEvaluations = flagged;
            FalseAlarmRate = evaluations == 0 ? double.NaN : (double)flagged / evaluations;
            FalseAlarmRateLower = lower;
            FalseAlarmRateUpper = upper;
            WorstPhaseFalseAlarmRate = worstPhase;
            FalseAlarmEpisodesPerDay = options.Duration > TimeSpan.Zero ? episodes / options.Duration.TotalDays : double.NaN;
            DetectionTrials = detection.Length;
            if (detection.Length > 0)
            {
                Array.Sort(detection);
                DetectionP50 = Percentile(detection, 0.50);
                DetectionP95 = Percentile(detection, 0.95);
                DetectionP99 = Percentile(detection, 0.99);
                DetectionMax = detection[detection.Length - 1];
            }
            Warnings = warnings;
            Elapsed = elapsed;
        }

        public TimeSpan HeartbeatInterval { get; }
        public TimeSpan ScrapeInterval { get; }
        public TimeSpan EvaluationInterval { get; }
        public TimeSpan Window { get; }
        public TimeSpan Freshness { get; }
        public FreshnessReference FreshnessOn { get; }
        public double MissedScrapeProbability { get; }
        public double MissedBeatProbability { get; }
        public TimeSpan Jitter { get; }
        public int Phases { get; }
        public ulong Seed { get; }

        /// <summary>Healthy-writer time simulated over all phases.</summary>
        public TimeSpan SimulatedTime { get; }

        public long Evaluations { get; }

        /// <summary>Evaluations at which a healthy writer's heartbeat was not Ok.</summary>
        public long FlaggedEvaluations { get; }

        /// <summary>Flagged evaluations per evaluation, averaged over the phases.</summary>
        public double FalseAlarmRate { get; }

        /// <summary>Lower end of the 95% interval of <see cref="FalseAlarmRate"/>.</summary>
        public double FalseAlarmRateLower { get; }

        /// <summary>Upper end of the 95% interval of <see cref="FalseAlarmRate"/>.</summary>
        public double FalseAlarmRateUpper { get; }

        /// <summary>The false-alarm rate at the worst sampled phase of writer, scraper and evaluator.</summary>
        public double WorstPhaseFalseAlarmRate { get; }

        /// <summary>Changes from Ok to flagged per day of a healthy writer: the pages an operator would get.</summary>
        public double FalseAlarmEpisodesPerDay { get; }

        public int DetectionTrials { get; }

        /// <summary>Time from the writer's last beat to the first evaluation that flags it: median.</summary>
        public TimeSpan DetectionP50 { get; }
        public TimeSpan DetectionP95 { get; }
        public TimeSpan DetectionP99 { get; }
        public TimeSpan DetectionMax { get; }

        /// <summary>Why this configuration is never or rarely healthy, when it is.</summary>
        public IReadOnlyList<string> Warnings { get; }

        /// <summary>Wall-clock time the simulation took.</summary>
        public TimeSpan Elapsed { get; }

        /// <summary>Nearest-rank percentile of sorted values.</summary>
        private static TimeSpan Percentile(TimeSpan[] sorted, double q) =>
            sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1))];
    }

    /// <summary>The smallest window and freshness that keep a healthy writer's false alarms at or below a target.</summary>
    public sealed class HeartbeatRecommendation
    {
        internal HeartbeatRecommendation(double target, TimeSpan? maxDetection, HeartbeatAlarmMeasurement measurement, TimeSpan elapsed)
        {
            TargetFalseAlarm = target;
            MaxDetection = maxDetection;
            Measurement = measurement;
            Elapsed = elapsed;
        }

        public double TargetFalseAlarm { get; }
        public TimeSpan? MaxDetection { get; }

        public TimeSpan HeartbeatInterval => Measurement.HeartbeatInterval;
        public TimeSpan ScrapeInterval => Measurement.ScrapeInterval;
        public TimeSpan EvaluationInterval => Measurement.EvaluationInterval;
        public TimeSpan Window => Measurement.Window;
        public TimeSpan Freshness => Measurement.Freshness;
        public FreshnessReference FreshnessOn => Measurement.FreshnessOn;

        /// <summary>Measured with the recommended window and freshness, with a seed independent of the search.</summary>
        public double FalseAlarmRate => Measurement.FalseAlarmRate;
        public double FalseAlarmRateUpper => Measurement.FalseAlarmRateUpper;
        public double WorstPhaseFalseAlarmRate => Measurement.WorstPhaseFalseAlarmRate;
        public double FalseAlarmEpisodesPerDay => Measurement.FalseAlarmEpisodesPerDay;
        public TimeSpan DetectionP50 => Measurement.DetectionP50;
        public TimeSpan DetectionP99 => Measurement.DetectionP99;
        public TimeSpan DetectionMax => Measurement.DetectionMax;

        public HeartbeatAlarmMeasurement Measurement { get; }

        /// <summary>Wall-clock time of the search and the measurement.</summary>
        public TimeSpan Elapsed { get; }
    }
}
