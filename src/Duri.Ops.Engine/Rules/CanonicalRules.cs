using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Rules
{
    /// <summary>The parameters of the canonical heartbeat and contract rules; windows are derived unless given.</summary>
    public sealed class CanonicalRuleOptions
    {
        public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(60);

        public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Rule evaluation interval; defaults to the scrape interval.</summary>
        public TimeSpan? EvaluationInterval { get; set; }

        public string Realm { get; set; } = "prod";

        /// <summary>How many beats or scrapes in a row may go missing before the heartbeat is not Ok.</summary>
        public int ToleratedMisses { get; set; } = 2;

        /// <summary>The changes() window; derived from the intervals and <see cref="ToleratedMisses"/> when null.</summary>
        public TimeSpan? Window { get; set; }

        /// <summary>The largest scrape age that counts as fresh; derived when null.</summary>
        public TimeSpan? Freshness { get; set; }

        /// <summary>The window of the GREEN uptime ratio.</summary>
        public TimeSpan UptimeWindow { get; set; } = TimeSpan.FromHours(1);

        public TimeSpan EffectiveEvaluationInterval => EvaluationInterval ?? ScrapeInterval;

        public TimeSpan EffectiveWindow => Window ?? CanonicalRules.DeriveWindow(HeartbeatInterval, ScrapeInterval, ToleratedMisses);

        public TimeSpan EffectiveFreshness => Freshness ?? CanonicalRules.DeriveFreshness(ScrapeInterval, ToleratedMisses);
    }

    /// <summary>A file the generator writes, relative to the rules directory.</summary>
    public sealed class GeneratedRuleFile
    {
        internal GeneratedRuleFile(string relativePath, string content)
        {
            RelativePath = relativePath;
            Content = content;
        }

        public string RelativePath { get; }

        public string Content { get; }
    }

    /// <summary>
    /// The runbook's rule files (heartbeat.rules.yml, duri-observability-contract.rules.yml) and their promtool unit
    /// tests, generated from the heartbeat, scrape and evaluation intervals.
    /// </summary>
    public static class CanonicalRules
    {
        public const string HeartbeatFile = "heartbeat.rules.yml";
        public const string ContractFile = "duri-observability-contract.rules.yml";
        public const string HeartbeatTestFile = "tests/heartbeat.test.yml";
        public const string ContractTestFile = "tests/duri-observability-contract.test.yml";
        public const string TimestampMetric = "duri_heartbeat_timestamp_seconds";
        public const string OkMetric = "duri_heartbeat_ok";
        public const string ScrapeAgeMetric = "duri_heartbeat_scrape_age_seconds";
        public const string UptimeMetric = "duri_green_uptime_ratio";

        /// <summary>Writer clock of the first beat in generated tests (any value works; a real-looking one reads better).</summary>
        private const long TestClockBase = 1_700_000_000;

        /// <summary>
        /// changes() sees a new value at the first scrape after each beat, so observed changes are up to HB + SI apart,
        /// and counting one needs the sample before it in the window too: HB + 2·SI. The window holds that span once per
        /// tolerated miss and once more, rounded up to a whole minute (to whole seconds below a minute):
        /// W = (misses + 1) · (HB + 2·SI). For HB 60 s, SI 30 s and 2 misses: 3 · 120 s = 6m.
        /// </summary>
        public static TimeSpan DeriveWindow(TimeSpan heartbeat, TimeSpan scrape, int toleratedMisses)
        {
            var raw = TimeSpan.FromTicks((toleratedMisses + 1) * (heartbeat.Ticks + 2 * scrape.Ticks));
            return RoundUp(raw, raw >= TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : TimeSpan.FromSeconds(1));
        }

        /// <summary>
        /// The guard is on the scrape age, time() - timestamp(...), which a healthy target keeps below one scrape
        /// interval; the writer's own clock can lag by HB + SI and would raise false alarms. F = (misses + ½) · SI,
        /// rounded up to a whole second: 75 s for SI 30 s and 2 misses.
        /// </summary>
        public static TimeSpan DeriveFreshness(TimeSpan scrape, int toleratedMisses) =>
            RoundUp(TimeSpan.FromTicks((long)((toleratedMisses + 0.5) * scrape.Ticks)), TimeSpan.FromSeconds(1));

        /// <summary>The smallest window that still sees a healthy writer change: HB + 2·SI.</summary>
        public static TimeSpan MinimumWindow(TimeSpan heartbeat, TimeSpan scrape) => heartbeat + scrape + scrape;

        public static string ChangesMetric(TimeSpan window) => "duri_heartbeat_changes_" + PrometheusDuration.Format(window);

        /// <exception cref="ArgumentException">An interval is not positive, or a window or freshness cannot work.</exception>
        public static void Validate(CanonicalRuleOptions options)
        {
            foreach (var (name, value) in new[] { ("HeartbeatInterval", options.HeartbeatInterval), ("ScrapeInterval", options.ScrapeInterval), ("EvaluationInterval", options.EffectiveEvaluationInterval), ("UptimeWindow", options.UptimeWindow) })
            {
                if (value <= TimeSpan.Zero || value.Ticks % TimeSpan.TicksPerSecond != 0)
                    throw new ArgumentException($"{name} must be a positive whole number of seconds; it is {value}.", name);
            }
            if (options.ToleratedMisses < 0) throw new ArgumentException("ToleratedMisses cannot be negative.", nameof(options.ToleratedMisses));
            if (string.IsNullOrEmpty(options.Realm)) throw new ArgumentException("A realm is needed, such as prod.", nameof(options.Realm));
            var minimum = MinimumWindow(options.HeartbeatInterval, options.ScrapeInterval);
            if (options.EffectiveWindow < minimum)
                throw new ArgumentException($"A window of {PrometheusDuration.Format(options.EffectiveWindow)} can miss a healthy writer's change; it must be at least HB + 2·SI = {PrometheusDuration.Format(minimum)}.", nameof(options.Window));
            if (options.EffectiveWindow.Ticks % TimeSpan.TicksPerSecond != 0 || options.EffectiveFreshness.Ticks % TimeSpan.TicksPerSecond != 0)
                throw new ArgumentException("Window and Freshness must be whole seconds.");
            if (options.EffectiveFreshness <= options.ScrapeInterval)
                throw new ArgumentException($"A freshness of {PrometheusDuration.Format(options.EffectiveFreshness)} flags a healthy target between scrapes; it must exceed the scrape interval ({PrometheusDuration.Format(options.ScrapeInterval)}).", nameof(options.Freshness));
        }

        public static IReadOnlyList<GeneratedRuleFile> Generate(CanonicalRuleOptions options)
        {
            Validate(options);
            return new[]
            {
                new GeneratedRuleFile(HeartbeatFile, RuleFileWriter.Write(HeartbeatRules(options), HeartbeatHeader(options))),
                new GeneratedRuleFile(ContractFile, RuleFileWriter.Write(ContractRules(options), ContractHeader(options))),
                new GeneratedRuleFile(HeartbeatTestFile, HeartbeatTests(options)),
                new GeneratedRuleFile(ContractTestFile, ContractTests(options)),
            };
        }

        public static RuleFile HeartbeatRules(CanonicalRuleOptions options)
        {
            string realm = RealmMatcher(options.Realm);
            string window = PrometheusDuration.Format(options.EffectiveWindow);
            string changes = ChangesMetric(options.EffectiveWindow);
            var realmLabel = new Dictionary<string, string> { ["metric_realm"] = options.Realm };
            return new RuleFile(new[]
            {
                new RuleGroup("duri-heartbeat", new[]
                {
                    Rule.Recording(changes, $"changes({TimestampMetric}{{{realm}}}[{window}])"),
                    Rule.Recording(ScrapeAgeMetric, $"time() - timestamp({TimestampMetric}{{{realm}}})"),
                    Rule.Recording(OkMetric,
                        $"(\n  ({changes}{{{realm}}} >= bool 1)\n  * ({ScrapeAgeMetric}{{{realm}}} <= bool {Seconds(options.EffectiveFreshness)})\n)\nor on () vector(0)",
                        realmLabel),
                }, options.EffectiveEvaluationInterval),
            });
        }

        public static RuleFile ContractRules(CanonicalRuleOptions options)
        {
            string realm = RealmMatcher(options.Realm);
            return new RuleFile(new[]
            {
                new RuleGroup("duri-observability-contract", new[]
                {
                    Rule.Recording(UptimeMetric, UptimeExpression(realm, PrometheusDuration.Format(options.UptimeWindow))),
                }, options.EffectiveEvaluationInterval),
            });
        }

        /// <summary>
        /// The GREEN share over the window, 0 when duri_green had any value outside [0, 1] in it: a 3 capped to 1 would count
        /// as green and pass the uptime gate, so a writer that misbehaves counts as down until its values leave the window.
        /// The clamp outside keeps the ratio in [0, 1] (a NaN stays NaN) and turns -0 into 0.
        /// </summary>
        private static string UptimeExpression(string realm, string window)
        {
            string green = $"duri_green{{{realm}}}[{window}]";
            return $"clamp(\n  avg_over_time({green})\n  * (max_over_time({green}) <= bool 1)\n  * (min_over_time({green}) >= bool 0),\n  0, 1\n)";
        }

        private static IEnumerable<string> HeartbeatHeader(CanonicalRuleOptions o) => new[]
        {
            $"Generated by Export-DuriRuleFile; regenerate rather than edit.",
            $"Heartbeat every {Seconds(o.HeartbeatInterval)} s, scrape every {Seconds(o.ScrapeInterval)} s, evaluation every {Seconds(o.EffectiveEvaluationInterval)} s, realm {o.Realm}, {o.ToleratedMisses} tolerated misses.",
            $"Window {PrometheusDuration.Format(o.EffectiveWindow)}" + (o.Window.HasValue ? " (given)" : $" = (misses + 1) * (HB + 2*SI), rounded up"),
            $"Freshness {Seconds(o.EffectiveFreshness)} s on the scrape age" + (o.Freshness.HasValue ? " (given)" : " = (misses + 0.5) * SI, rounded up"),
            $"{OkMetric} is 1 while the writer's timestamp changed within the window and was scraped within the freshness,",
            $"else 0, and 0 when no heartbeat series exists. A writer that stops is flagged within window + evaluation interval",
            $"({Seconds(o.EffectiveWindow + o.EffectiveEvaluationInterval)} s) of its last beat; a target that stops being scraped within freshness + evaluation interval.",
        };

        private static IEnumerable<string> ContractHeader(CanonicalRuleOptions o) => new[]
        {
            "Generated by Export-DuriRuleFile; regenerate rather than edit.",
            $"{UptimeMetric}: the GREEN share over {PrometheusDuration.Format(o.UptimeWindow)}, in [0, 1]; 0 while duri_green had a value outside [0, 1] in that window.",
        };

        private static string HeartbeatTests(CanonicalRuleOptions o)
        {
            long hb = Seconds(o.HeartbeatInterval), si = Seconds(o.ScrapeInterval), ei = Seconds(o.EffectiveEvaluationInterval);
            long window = Seconds(o.EffectiveWindow), freshness = Seconds(o.EffectiveFreshness);
            string realm = Quote(o.Realm);
            const string target = "instance=\"node:9100\", job=\"node\"";
            string series = $"{TimestampMetric}{{{target}, metric_realm={realm}}}";
            string okLabels = $"{{{target}, metric_realm={realm}}}";
            string okSeries = $"{{__name__=\"{OkMetric}\", {target}, metric_realm={realm}}}";
            long twoHours = 7200;
            long warmUp = RoundUpTo(hb + hb + si + window, ei);
            var sb = new StringBuilder();
            sb.Append("# Generated by Export-DuriRuleFile with its rules; regenerate rather than edit.\n");
            sb.Append("# Run: Invoke-DuriRuleTest -Path <this file>  (promtool test rules)\n");
            sb.Append("rule_files:\n  - ../").Append(HeartbeatFile).Append('\n');
            sb.Append("evaluation_interval: ").Append(Duration(ei)).Append('\n');
            sb.Append("tests:\n");

            // A healthy writer at every phase offset against the scraper, stepped through one heartbeat period.
            long phaseStep = Math.Max(1, hb / 12);
            for (long phase = 0; phase < hb; phase += phaseStep)
            {
                TestHeader(sb, $"healthy writer, beat phase {phase}s: Ok for 2h after warm-up", si);
                Series(sb, series, Beats(phase, hb, si, twoHours, stopAfter: null));
                sb.Append("    promql_expr_test:\n");
                Expect(sb, $"min_over_time({OkMetric}{{metric_realm={realm}}}[{Duration(twoHours - warmUp)}])", twoHours, okLabels, "1");
                // Prometheus 2.x ranges include both ends: one evaluation more than range / interval.
                Expect(sb, $"count_over_time({OkMetric}{{metric_realm={realm}}}[{Duration(twoHours - warmUp)}])", twoHours, okLabels, ((twoHours - warmUp) / ei + 1).ToString(CultureInfo.InvariantCulture));
            }

            long lastBeat = 1800;
            TestHeader(sb, $"a writer that stops is flagged within window + evaluation interval ({window + ei}s) of its last beat", si);
            Series(sb, series, Beats(0, hb, si, lastBeat + window + 4 * ei, stopAfter: lastBeat));
            sb.Append("    promql_expr_test:\n");
            Expect(sb, $"{OkMetric}{{metric_realm={realm}}}", RoundDownTo(lastBeat + window - si, ei), okSeries, "1");
            Expect(sb, $"{OkMetric}{{metric_realm={realm}}}", RoundUpTo(lastBeat + window + ei, ei), okSeries, "0");

            TestHeader(sb, $"a target no longer scraped is flagged once its scrape age passes {freshness}s", si);
            long lastScrape = RoundDownTo(1800, si);
            Series(sb, series, Beats(0, hb, si, lastScrape, stopAfter: null));
            sb.Append("    promql_expr_test:\n");
            Expect(sb, $"{OkMetric}{{metric_realm={realm}}}", RoundDownTo(lastScrape + freshness, ei), okSeries, "1");
            Expect(sb, $"{OkMetric}{{metric_realm={realm}}}", RoundUpTo(lastScrape + freshness + 1, ei), okSeries, "0");

            TestHeader(sb, "no heartbeat series at all gives 0, not an absent series", si);
            sb.Append("    input_series:\n      - series: 'up{job=\"node\"}'\n        values: '1+0x20'\n");
            sb.Append("    promql_expr_test:\n");
            Expect(sb, $"{OkMetric}", 5 * 60, $"{{__name__=\"{OkMetric}\", metric_realm={realm}}}", "0");

            string otherRealm = o.Realm == "staging" ? "prod" : "staging";
            TestHeader(sb, $"realms do not mix: a stopped {otherRealm} writer leaves {o.Realm} Ok", si);
            Series(sb, series, Beats(0, hb, si, 3600, stopAfter: null));
            Series(sb, $"{TimestampMetric}{{{target}, metric_realm={Quote(otherRealm)}}}", Beats(0, hb, si, 3600, stopAfter: 600), header: false);
            sb.Append("    promql_expr_test:\n");
            Expect(sb, OkMetric, 3600, okSeries, "1");
            return sb.ToString();
        }

        private static string ContractTests(CanonicalRuleOptions o)
        {
            long ei = Seconds(o.EffectiveEvaluationInterval), si = Seconds(o.ScrapeInterval), uptime = Seconds(o.UptimeWindow);
            string realm = Quote(o.Realm);
            string labels = $"{{job=\"duri\", metric_realm={realm}}}";
            long end = uptime * 2;
            var sb = new StringBuilder();
            sb.Append("# Generated by Export-DuriRuleFile with its rules; regenerate rather than edit.\n");
            sb.Append("rule_files:\n  - ../").Append(ContractFile).Append('\n');
            sb.Append("evaluation_interval: ").Append(Duration(ei)).Append('\n');
            sb.Append("tests:\n");
            foreach (var (name, pattern, ratio) in new[]
            {
                ("misbehaving input (3, -2, 5) counts as down", new[] { "1", "3", "-2", "1", "5", "0" }, "0"),
                ("always 3 counts as down, not as green", new[] { "3" }, "0"),
                ("always -1 counts as down", new[] { "-1" }, "0"),
                ("always green gives 1", new[] { "1" }, "1"),
            })
            {
                TestHeader(sb, "uptime ratio: " + name, si);
                var values = Enumerable.Range(0, (int)(end / si) + 1).Select(i => pattern[i % pattern.Length]);
                sb.Append("    input_series:\n      - series: 'duri_green").Append(labels).Append("'\n        values: '").Append(string.Join(" ", values)).Append("'\n");
                sb.Append("    promql_expr_test:\n");
                Expect(sb, $"max_over_time({UptimeMetric}{{metric_realm={realm}}}[{Duration(end)}]) <= bool 1", end, labels, "1");
                Expect(sb, $"min_over_time({UptimeMetric}{{metric_realm={realm}}}[{Duration(end)}]) >= bool 0", end, labels, "1");
                Expect(sb, $"{UptimeMetric}{{metric_realm={realm}}}", end, $"{{__name__=\"{UptimeMetric}\", job=\"duri\", metric_realm={realm}}}", ratio);
            }
            return sb.ToString();
        }

        /// <summary>The writer's clock as scraped every SI: each scrape sees the last beat at or before it.</summary>
        private static IEnumerable<string> Beats(long phase, long heartbeat, long scrape, long until, long? stopAfter)
        {
            for (long t = 0; t <= until; t += scrape)
            {
                long seen = Math.Min(t, stopAfter ?? long.MaxValue);
                if (seen < phase) { yield return "_"; continue; }
                long beat = phase + (seen - phase) / heartbeat * heartbeat;
                yield return (TestClockBase + beat).ToString(CultureInfo.InvariantCulture);
            }
        }

        private static void TestHeader(StringBuilder sb, string name, long scrape)
        {
            sb.Append("  - name: ").Append(Quote(name)).Append('\n');
            sb.Append("    interval: ").Append(Duration(scrape)).Append('\n');
        }

        private static void Series(StringBuilder sb, string series, IEnumerable<string> values, bool header = true)
        {
            if (header) sb.Append("    input_series:\n");
            sb.Append("      - series: '").Append(series).Append("'\n");
            sb.Append("        values: '").Append(string.Join(" ", values)).Append("'\n");
        }

        private static void Expect(StringBuilder sb, string expr, long evalTime, string labels, string value)
        {
            sb.Append("      - expr: '").Append(expr.Replace("'", "''")).Append("'\n");
            sb.Append("        eval_time: ").Append(Duration(evalTime)).Append('\n');
            sb.Append("        exp_samples:\n");
            sb.Append("          - labels: '").Append(labels.Replace("'", "''")).Append("'\n");
            sb.Append("            value: ").Append(value).Append('\n');
        }

        private static string RealmMatcher(string realm) => "metric_realm=" + Quote(realm);

        /// <summary>A PromQL double-quoted string.</summary>
        private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";

        private static long Seconds(TimeSpan span) => (long)span.TotalSeconds;

        private static string Duration(long seconds) => PrometheusDuration.Format(TimeSpan.FromSeconds(seconds));

        private static long RoundUpTo(long value, long step) => (value + step - 1) / step * step;

        private static long RoundDownTo(long value, long step) => value / step * step;

        private static TimeSpan RoundUp(TimeSpan value, TimeSpan unit) => TimeSpan.FromTicks((value.Ticks + unit.Ticks - 1) / unit.Ticks * unit.Ticks);
    }
}
