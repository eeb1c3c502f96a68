using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.HeartbeatModel;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.HeartbeatModel
{
    public class HeartbeatAlarmModelTests
    {
        private static HeartbeatAlarmOptions Seed() => new HeartbeatAlarmOptions
        {
            Window = TimeSpan.FromMinutes(6),
            Freshness = TimeSpan.FromSeconds(75),
            FreshnessOn = FreshnessReference.WriterTime,
        };

        /// <summary>P(X + Y &gt; f) for X ~ U(0, a) and Y ~ U(0, b) independent.</summary>
        private static double SumOfUniformsExceeds(double a, double b, double f)
        {
            static double Half(double t) => t <= 0 ? 0 : t * t / 2;
            double below = Half(f) - Half(f - a) - Half(f - b) + Half(f - a - b);
            return 1 - below / (a * b);
        }

        [Theory]
        [InlineData(60, 30, 75)]
        [InlineData(45, 20, 50)]
        [InlineData(60, 15, 40)]
        public void WithoutJitterTheWriterAgeIsTheSumOfTwoUniformDelays(int heartbeat, int scrape, int freshness)
        {
            var options = new HeartbeatAlarmOptions
            {
                HeartbeatInterval = TimeSpan.FromSeconds(heartbeat),
                ScrapeInterval = TimeSpan.FromSeconds(scrape),
                Window = TimeSpan.FromMinutes(30),
                Freshness = TimeSpan.FromSeconds(freshness),
                FreshnessOn = FreshnessReference.WriterTime,
                Phases = 8000,
                Duration = TimeSpan.FromHours(8000),
                DetectionTrials = 0,
            };
            var m = HeartbeatAlarmModel.Measure(options);
            double expected = SumOfUniformsExceeds(scrape, heartbeat, freshness);
            Assert.True(expected > 0.01, $"the case should have false alarms to compare; closed form {expected}");
            Assert.InRange(expected, m.FalseAlarmRateLower, m.FalseAlarmRateUpper);
            Assert.True(m.FalseAlarmRateUpper - m.FalseAlarmRateLower < 0.05, $"interval too wide to mean anything: [{m.FalseAlarmRateLower}, {m.FalseAlarmRateUpper}]");
        }

        [Fact]
        public void TheSeedsConfigurationFlagsAboutSixPercentOnAverageAndHalfAtTheWorstPhase()
        {
            var m = HeartbeatAlarmModel.Measure(Seed());
            // Closed form: P(U(0, 30 s) + U(0, 60 s) > 75 s) = 1/16.
            Assert.InRange(0.0625, m.FalseAlarmRateLower, m.FalseAlarmRateUpper);
            Assert.InRange(m.FalseAlarmRate, 0.03, 0.1);
            Assert.Equal(0.5, m.WorstPhaseFalseAlarmRate, 2);
            Assert.Contains(m.Warnings, w => w.Contains("writer's timestamp"));
        }

        [Fact]
        public void TheCanonicalRulesStayWithinATenthOfAPercentAndDetectWithinWindowPlusEvaluation()
        {
            var canonical = new CanonicalRuleOptions();
            var m = HeartbeatAlarmModel.Measure(new HeartbeatAlarmOptions
            {
                HeartbeatInterval = canonical.HeartbeatInterval,
                ScrapeInterval = canonical.ScrapeInterval,
                EvaluationInterval = canonical.EffectiveEvaluationInterval,
                Window = canonical.EffectiveWindow,
                Freshness = canonical.EffectiveFreshness,
                Jitter = TimeSpan.FromSeconds(2),
            });
            Assert.True(m.FalseAlarmRateUpper <= 0.001, $"false alarms {m.FalseAlarmRate:P3}, upper {m.FalseAlarmRateUpper:P3}");
            Assert.Empty(m.Warnings);
            Assert.True(m.DetectionMax <= canonical.EffectiveWindow + canonical.EffectiveEvaluationInterval, $"max detection {m.DetectionMax}");
            Assert.True(m.DetectionP50 >= canonical.EffectiveWindow - canonical.HeartbeatInterval - canonical.ScrapeInterval, $"median detection {m.DetectionP50}");
        }

        [Fact]
        public void ASeedGivesTheSameFiguresEveryTimeAndAnotherSeedOtherOnes()
        {
            var options = Seed();
            options.Jitter = TimeSpan.FromSeconds(5);
            options.MissedScrapeProbability = 0.01;
            options.Duration = TimeSpan.FromDays(5);
            var first = HeartbeatAlarmModel.Measure(options);
            var again = HeartbeatAlarmModel.Measure(options);
            options.Seed = 2;
            var other = HeartbeatAlarmModel.Measure(options);
            Assert.Equal(first.FlaggedEvaluations, again.FlaggedEvaluations);
            Assert.Equal(first.DetectionP99, again.DetectionP99);
            Assert.NotEqual(first.FlaggedEvaluations, other.FlaggedEvaluations);
        }

        [Fact]
        public void AFailedScrapeMarksTheSeriesStaleAndFlagsUntilTheNextScrape()
        {
            var options = new HeartbeatAlarmOptions { MissedScrapeProbability = 0.01, Duration = TimeSpan.FromDays(10), DetectionTrials = 0 };
            var m = HeartbeatAlarmModel.Measure(options);
            // EI = SI: each failed scrape hides the series for exactly one evaluation.
            Assert.InRange(m.FalseAlarmRate, 0.008, 0.012);
            Assert.InRange(m.FalseAlarmEpisodesPerDay, 0.008 * 2880, 0.012 * 2880);
        }

        [Fact]
        public void AGuardOnAScrapeRangeRidesOutFailedScrapesThatAnInstantLookupCannot()
        {
            var options = new HeartbeatAlarmOptions { MissedScrapeProbability = 0.01, Duration = TimeSpan.FromDays(10), DetectionTrials = 200 };
            var instant = HeartbeatAlarmModel.Measure(options);
            options.FreshnessOn = FreshnessReference.ScrapeRange;
            var range = HeartbeatAlarmModel.Measure(options);
            Assert.True(instant.FalseAlarmRateLower > 0.005, $"instant lookup {instant.FalseAlarmRate:P3}");
            Assert.True(range.FalseAlarmRateUpper <= 0.001, $"scrape range {range.FalseAlarmRate:P3}");
            var parsed = HeartbeatAlarmModel.FromRuleFile(RuleFileReader.Read(ScrapeRangeRules(TimeSpan.FromMinutes(6), 75), "range.rules.yml").File);
            Assert.Equal((FreshnessReference.ScrapeRange, TimeSpan.FromSeconds(75)), (parsed.FreshnessOn, parsed.Freshness));
        }

        [Theory]
        [InlineData(nameof(HeartbeatAlarmOptions.HeartbeatInterval), 0)]
        [InlineData(nameof(HeartbeatAlarmOptions.ScrapeInterval), -30)]
        [InlineData(nameof(HeartbeatAlarmOptions.Window), 0)]
        public void RefusesIntervalsThatAreNotPositive(string parameter, int seconds)
        {
            var options = new HeartbeatAlarmOptions();
            typeof(HeartbeatAlarmOptions).GetProperty(parameter)!.SetValue(options, TimeSpan.FromSeconds(seconds));
            var e = Assert.Throws<ArgumentException>(() => HeartbeatAlarmModel.Measure(options));
            Assert.Contains("must be positive", e.Message);
            Assert.Equal(parameter, e.ParamName);
        }

        [Fact]
        public void AWindowShorterThanTheScrapeIntervalIsNeverHealthyAndSaysSo()
        {
            var m = HeartbeatAlarmModel.Measure(new HeartbeatAlarmOptions { Window = TimeSpan.FromSeconds(20), Duration = TimeSpan.FromDays(1), DetectionTrials = 10 });
            Assert.Equal(1.0, m.FalseAlarmRate);
            Assert.Contains(m.Warnings, w => w.Contains("never holds two samples"));
        }

        [Fact]
        public void AFreshnessShorterThanTheScrapeIntervalWarnsWithTheShareItFlags()
        {
            var m = HeartbeatAlarmModel.Measure(new HeartbeatAlarmOptions { Freshness = TimeSpan.FromSeconds(20), Duration = TimeSpan.FromDays(2), DetectionTrials = 10 });
            var warning = Assert.Single(m.Warnings);
            Assert.Contains("33%", warning);
            Assert.InRange(m.FalseAlarmRate, 0.25, 0.42);
        }

        [Fact]
        public void TheRecommendationMeetsTheTargetWithTheSmallestWholeSeconds()
        {
            // Missed beats stretch the gap between changes to 2·HB + 2·SI, so the window must exceed the HB + 2·SI floor.
            var options = new HeartbeatAlarmOptions { Jitter = TimeSpan.FromSeconds(3), MissedBeatProbability = 0.01, ScrapeJitter = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromDays(10) };
            var r = HeartbeatAlarmModel.Recommend(options, 0.001);
            Assert.True(r.FalseAlarmRate <= 0.001, $"measured {r.FalseAlarmRate:P3} with window {r.Window}, freshness {r.Freshness}");
            Assert.True(r.Window > TimeSpan.FromSeconds(120) && r.Window <= TimeSpan.FromSeconds(185), $"window {r.Window}");
            Assert.True(r.Freshness >= TimeSpan.FromSeconds(31) && r.Freshness <= TimeSpan.FromSeconds(32), $"freshness {r.Freshness}");

            // On the search's own evaluations (same seed), one second less window fails more of them.
            var same = options.Clone();
            same.Window = r.Window;
            same.Freshness = r.Freshness;
            var chosen = HeartbeatAlarmModel.Measure(same);
            same.Window -= TimeSpan.FromSeconds(1);
            var tighter = HeartbeatAlarmModel.Measure(same);
            Assert.True(chosen.FalseAlarmRateUpper <= 0.001, $"upper bound {chosen.FalseAlarmRateUpper:P3}");
            Assert.True(tighter.FlaggedEvaluations > chosen.FlaggedEvaluations, $"{tighter.FlaggedEvaluations} vs {chosen.FlaggedEvaluations}");
        }

        [Fact]
        public void TheRecommendationNeverGoesBelowWhatExportDuriRuleFileAccepts()
        {
            var r = HeartbeatAlarmModel.Recommend(new HeartbeatAlarmOptions { Duration = TimeSpan.FromDays(5) }, 0.01);
            Assert.Equal(CanonicalRules.MinimumWindow(r.HeartbeatInterval, r.ScrapeInterval), r.Window);
            Assert.Equal(TimeSpan.FromSeconds(31), r.Freshness);
            Assert.Equal(0, r.Measurement.FlaggedEvaluations);
        }

        [Fact]
        public void NoRecommendationWhenFailedScrapesAloneExceedTheTarget()
        {
            var e = Assert.Throws<InvalidOperationException>(() => HeartbeatAlarmModel.Recommend(new HeartbeatAlarmOptions { MissedScrapeProbability = 0.01, Duration = TimeSpan.FromDays(5) }, 0.001));
            Assert.Contains("stale", e.Message);
        }

        [Fact]
        public void ReadsWindowFreshnessAndEvaluationFromTheCanonicalRuleFile()
        {
            var read = RuleFileReader.Load(Path.Combine(RepositoryPaths.CanonicalRules, CanonicalRules.HeartbeatFile));
            var p = HeartbeatAlarmModel.FromRuleFile(read.File);
            var canonical = new CanonicalRuleOptions();
            Assert.Equal(canonical.EffectiveWindow, p.Window);
            Assert.Equal(canonical.EffectiveFreshness, p.Freshness);
            Assert.Equal(FreshnessReference.ScrapeTime, p.FreshnessOn);
            Assert.Equal(canonical.EffectiveEvaluationInterval, p.EvaluationInterval);
        }

        [Fact]
        public void ReadsTheSeedsWriterTimeGuard()
        {
            var p = HeartbeatAlarmModel.FromRuleFile(RuleFileReader.Read(WriterTimeRules(TimeSpan.FromMinutes(6), 75, 30), "seed.rules.yml").File);
            Assert.Equal(TimeSpan.FromMinutes(6), p.Window);
            Assert.Equal(TimeSpan.FromSeconds(75), p.Freshness);
            Assert.Equal(FreshnessReference.WriterTime, p.FreshnessOn);
        }

        /// <summary>The seed's shape: freshness on the writer's own timestamp.</summary>
        private static string WriterTimeRules(TimeSpan window, long freshness, long evaluation) =>
            GuardedRules(window, "time() - duri_heartbeat_timestamp_seconds{metric_realm=\"prod\"}", $"<= bool {freshness}", evaluation);

        /// <summary>A freshness guard that skips staleness markers: some sample scraped within F.</summary>
        private static string ScrapeRangeRules(TimeSpan window, long freshness) =>
            GuardedRules(window, $"count_over_time(duri_heartbeat_timestamp_seconds{{metric_realm=\"prod\"}}[{freshness}s])", ">= bool 1", 30);

        private static string GuardedRules(TimeSpan window, string guard, string comparison, long evaluation)
        {
            string w = Engine.Prometheus.PrometheusDuration.Format(window);
            var file = new RuleFile(new[]
            {
                new RuleGroup("duri-heartbeat", new[]
                {
                    Rule.Recording("duri_heartbeat_changes", $"changes(duri_heartbeat_timestamp_seconds{{metric_realm=\"prod\"}}[{w}])"),
                    Rule.Recording("duri_heartbeat_guard", guard),
                    Rule.Recording("duri_heartbeat_ok", $"(\n  (duri_heartbeat_changes >= bool 1)\n  * (duri_heartbeat_guard {comparison})\n)\nor on () vector(0)"),
                }, TimeSpan.FromSeconds(evaluation)),
            });
            return RuleFileWriter.Write(file);
        }

        private struct Trace : IEvaluationSink
        {
            public List<(long Time, long Beat, bool Stale)> Samples;
            public List<(long Time, bool Flagged)> Evaluations;
            public long Window;
            public long Freshness;

            public bool Evaluate(long time, long requiredWindow, long age, bool writerStopped)
            {
                Evaluations.Add((time, requiredWindow > Window || age > Freshness));
                return true;
            }

            public void Sample(long timestamp, long beat, bool stale) => Samples.Add((timestamp, beat, stale));
        }

        public static IEnumerable<object[]> PromtoolCases() => new[]
        {
            // writer offset, scraper offset (s), freshness on, jitter (s), missed scrape and missed beat probability,
            // window, freshness (s), last beat (0: never stops). Offsets of 0 put samples exactly on window and
            // freshness boundaries, where a closed and a half-open range differ.
            new object[] { 0, 0, "ScrapeTime", 0, 0.0, 0.0, 120, 45, 0 },
            new object[] { 0, 0, "ScrapeTime", 0, 0.0, 0.3, 120, 30, 40 },
            new object[] { 17, 29, "ScrapeTime", 7, 0.08, 0.1, 120, 45, 0 },
            new object[] { 44, 3, "ScrapeTime", 3, 0.05, 0.2, 150, 31, 45 },
            new object[] { 0, 0, "WriterTime", 0, 0.0, 0.0, 150, 90, 30 },
            new object[] { 31, 14, "WriterTime", 5, 0.05, 0.1, 360, 75, 0 },
            new object[] { 59, 29, "WriterTime", 9, 0.1, 0.0, 150, 80, 50 },
            new object[] { 0, 0, "ScrapeRange", 0, 0.3, 0.2, 120, 45, 0 },
            new object[] { 13, 7, "ScrapeRange", 4, 0.3, 0.0, 150, 75, 60 },
        };

        [Theory]
        [Trait("Category", "Integration")]
        [MemberData(nameof(PromtoolCases))]
        public async Task PromtoolAgreesWithTheModelAtEveryEvaluation(int writerOffset, int scraperOffset, string freshnessOn, int jitter, double missedScrape, double missedBeat, int window, int freshness, int lastBeat)
        {
            var options = new HeartbeatAlarmOptions
            {
                Window = TimeSpan.FromSeconds(window),
                Freshness = TimeSpan.FromSeconds(freshness),
                FreshnessOn = (FreshnessReference)Enum.Parse(typeof(FreshnessReference), freshnessOn),
                Jitter = TimeSpan.FromSeconds(jitter),
                MissedScrapeProbability = missedScrape,
                MissedBeatProbability = missedBeat,
                Resolution = TimeSpan.FromSeconds(1),
                Seed = (ulong)(writerOffset * 100 + scraperOffset),
            };
            var p = new SimulationParameters(options);
            var trace = new Trace { Samples = new List<(long, long, bool)>(), Evaluations = new List<(long, bool)>(), Window = p.Window, Freshness = p.Freshness };
            const long end = 3_600_000;
            // promtool evaluates rule groups at 0, EI, 2·EI, ...: the evaluator's phase is 0 and the others move.
            HeartbeatSimulator.Run(p, new PhaseOffsets(writerOffset * 1000L, scraperOffset * 1000L, 0), options.Seed, 0, end, lastBeat == 0 ? long.MaxValue : lastBeat, ref trace, out _);
            Assert.Contains(trace.Evaluations, e => !e.Flagged);
            if (missedScrape > 0 || lastBeat > 0) Assert.Contains(trace.Evaluations, e => e.Flagged && e.Time > p.WarmUp);

            var directory = Directory.CreateTempSubdirectory("duri-alarm-").FullName;
            try
            {
                string rules = options.FreshnessOn switch
                {
                    FreshnessReference.ScrapeTime => RuleFileWriter.Write(CanonicalRules.HeartbeatRules(new CanonicalRuleOptions { Window = options.Window, Freshness = options.Freshness })),
                    FreshnessReference.WriterTime => WriterTimeRules(options.Window, freshness, 30),
                    _ => ScrapeRangeRules(options.Window, freshness),
                };
                File.WriteAllText(Path.Combine(directory, "heartbeat.rules.yml"), rules);
                var test = Path.Combine(directory, "heartbeat.test.yml");
                File.WriteAllText(test, PromtoolTest(trace, end / 1000));
                var results = await RuleTestRunner.RunAsync(test, CancellationToken.None);
                var result = Assert.Single(results);
                Assert.True(result.Passed, string.Join("\n", result.Failures.Take(5)));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        /// <summary>The model's samples on a 1 s grid (<c>_</c> where there is none, <c>stale</c> for a marker) and its verdict at every evaluation.</summary>
        private static string PromtoolTest(Trace trace, long seconds)
        {
            var values = Enumerable.Repeat("_", (int)seconds + 1).ToArray();
            foreach (var (time, beat, stale) in trace.Samples)
            {
                if (time / 1000 <= seconds) values[time / 1000] = stale ? "stale" : (beat / 1000).ToString(CultureInfo.InvariantCulture);
            }
            var sb = new StringBuilder();
            sb.Append("rule_files:\n  - heartbeat.rules.yml\nevaluation_interval: 30s\ntests:\n");
            sb.Append("  - name: model trace\n    interval: 1s\n    input_series:\n");
            sb.Append("      - series: 'duri_heartbeat_timestamp_seconds{instance=\"node:9100\", job=\"node\", metric_realm=\"prod\"}'\n");
            sb.Append("        values: '").Append(string.Join(" ", values)).Append("'\n");
            sb.Append("    promql_expr_test:\n");
            foreach (var (time, flagged) in trace.Evaluations)
            {
                sb.Append("      - expr: max(duri_heartbeat_ok)\n");
                sb.Append("        eval_time: ").Append(time / 1000).Append("s\n");
                sb.Append("        exp_samples:\n          - labels: '{}'\n            value: ").Append(flagged ? '0' : '1').Append('\n');
            }
            return sb.ToString();
        }
    }
}
