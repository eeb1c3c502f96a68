using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Rules;

namespace Duri.Ops.Engine.Heartbeat
{
    /// <summary>One heartbeat series as Prometheus sees it.</summary>
    public sealed class HeartbeatStatus
    {
        public LabelSet Labels { get; internal set; } = LabelSet.Empty;

        public string Realm { get; internal set; } = string.Empty;

        /// <summary>The writer's clock at its last scraped beat.</summary>
        public DateTimeOffset WriterTime { get; internal set; }

        /// <summary>How old the writer's last scraped beat is, by the server's evaluation time.</summary>
        public TimeSpan WriterAge { get; internal set; }

        /// <summary>When Prometheus last scraped the heartbeat.</summary>
        public DateTimeOffset ScrapeTime { get; internal set; }

        public TimeSpan ScrapeAge { get; internal set; }

        /// <summary>Changes of the writer's timestamp within <see cref="Window"/>.</summary>
        public double Changes { get; internal set; }

        public TimeSpan Window { get; internal set; }

        public TimeSpan Freshness { get; internal set; }

        /// <summary>The beat counter, when the writer exports one.</summary>
        public double? Sequence { get; internal set; }

        public bool Ok { get; internal set; }

        /// <summary>"rule" when duri_heartbeat_ok is recorded for this series, "computed" when Duri.Ops worked it out the same way.</summary>
        public string OkSource { get; internal set; } = string.Empty;

        /// <summary>True when more than one series matched the realm: all but one are strays, and the gates see several series.</summary>
        public bool Ambiguous { get; internal set; }

        public DateTimeOffset EvaluatedAt { get; internal set; }

        public PrometheusConnection? Prometheus { get; internal set; }

        public override string ToString() => Labels + (Ok ? " Ok" : " NOT Ok");
    }

    public sealed class HeartbeatQueryOptions
    {
        public string Realm { get; set; } = "prod";

        /// <summary>The changes() window; the canonical rules' derived 6m when null.</summary>
        public TimeSpan Window { get; set; } = new CanonicalRuleOptions().EffectiveWindow;

        /// <summary>The largest scrape age that counts as fresh; the canonical 75 s by default.</summary>
        public TimeSpan Freshness { get; set; } = new CanonicalRuleOptions().EffectiveFreshness;
    }

    /// <summary>Reads the heartbeat from Prometheus: per series, the writer's clock, the scrape age, the changes and Ok.</summary>
    public static class HeartbeatReader
    {
        public static async Task<IReadOnlyList<HeartbeatStatus>> ReadAsync(PrometheusConnection connection, HeartbeatQueryOptions options, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var query = new CombinedQuery();
            var heartbeat = new HeartbeatParts(query, options);
            var answer = await query.QueryAsync(connection, at, timeout, cancellationToken).ConfigureAwait(false);
            return heartbeat.Read(answer, at, connection);
        }

        /// <summary>The labels in which the series differ, with each series' values: what tells the stray apart.</summary>
        public static string DescribeDifferences(IReadOnlyList<HeartbeatStatus> statuses)
        {
            var names = statuses.SelectMany(s => s.Labels.Keys).Distinct(StringComparer.Ordinal)
                .Where(name => statuses.Select(s => s.Labels.TryGetValue(name, out var v) ? v : "(none)").Distinct(StringComparer.Ordinal).Count() > 1)
                .OrderBy(n => n, StringComparer.Ordinal).ToList();
            return string.Join("; ", statuses.Select(s => "{" + string.Join(", ", names.Select(n => n + "=\"" + (s.Labels.TryGetValue(n, out var v) ? v : "") + "\"")) + "}"));
        }
    }

    /// <summary>
    /// The heartbeat's parts of a combined query: the writer's clock, when it was scraped, its changes in the window, the
    /// beat counter and the recorded Ok, all of one realm at one evaluation time, so that ages and changes describe the same moment.
    /// </summary>
    internal sealed class HeartbeatParts
    {
        private readonly HeartbeatQueryOptions _options;
        private readonly int _timestamps;
        private readonly int _scrapes;
        private readonly int _changes;
        private readonly int _sequences;
        private readonly int _recordedOk;

        public HeartbeatParts(CombinedQuery query, HeartbeatQueryOptions options)
        {
            _options = options;
            string realm = "metric_realm=\"" + options.Realm.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
            string window = PrometheusDuration.Format(options.Window);
            _timestamps = query.Add($"{CanonicalRules.TimestampMetric}{{{realm}}}");
            // An instant query stamps samples with the evaluation time; timestamp() gives when they were scraped.
            _scrapes = query.Add($"timestamp({CanonicalRules.TimestampMetric}{{{realm}}})");
            _changes = query.Add($"changes({CanonicalRules.TimestampMetric}{{{realm}}}[{window}])");
            _sequences = query.Add($"{HeartbeatWriter.SequenceMetric}{{{realm}}}");
            _recordedOk = query.Add($"{CanonicalRules.OkMetric}{{{realm}}}");
        }

        /// <summary>One status per heartbeat series of the realm in the answer at <paramref name="at"/>.</summary>
        public IReadOnlyList<HeartbeatStatus> Read(CombinedAnswer answer, DateTimeOffset at, PrometheusConnection connection)
        {
            var changesBySeries = ByLabels(answer[_changes]);
            var scrapeBySeries = ByLabels(answer[_scrapes]);
            var sequenceBySeries = ByLabels(answer[_sequences]);
            var okBySeries = ByLabels(answer[_recordedOk]);
            var statuses = new List<HeartbeatStatus>();
            foreach (var sample in answer[_timestamps])
            {
                var key = sample.Labels.WithoutMetricName();
                var scrapeTime = scrapeBySeries.TryGetValue(key, out var scraped) ? FromUnixSeconds(scraped) : sample.Timestamp;
                var status = new HeartbeatStatus
                {
                    Labels = key,
                    Realm = _options.Realm,
                    WriterTime = FromUnixSeconds(sample.Value),
                    WriterAge = at - FromUnixSeconds(sample.Value),
                    ScrapeTime = scrapeTime,
                    ScrapeAge = at - scrapeTime,
                    Changes = changesBySeries.TryGetValue(key, out var c) ? c : 0,
                    Window = _options.Window,
                    Freshness = _options.Freshness,
                    Sequence = sequenceBySeries.TryGetValue(key, out var s) ? s : (double?)null,
                    EvaluatedAt = at,
                    Prometheus = connection,
                };
                if (okBySeries.TryGetValue(key, out var ok))
                {
                    status.Ok = ok == 1;
                    status.OkSource = "rule";
                }
                else
                {
                    // The same test the canonical rule makes, for servers that do not load it.
                    status.Ok = status.Changes >= 1 && status.ScrapeAge <= _options.Freshness;
                    status.OkSource = "computed";
                }
                statuses.Add(status);
            }
            if (statuses.Count > 1)
            {
                foreach (var status in statuses) status.Ambiguous = true;
            }
            return statuses;
        }

        private static Dictionary<LabelSet, double> ByLabels(IReadOnlyList<PrometheusVectorSample> samples)
        {
            var map = new Dictionary<LabelSet, double>();
            foreach (var sample in samples) map[sample.Labels.WithoutMetricName()] = sample.Value;
            return map;
        }

        private static DateTimeOffset FromUnixSeconds(double seconds) =>
            PrometheusValue.UnixMilliseconds(seconds) is long milliseconds ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : DateTimeOffset.MinValue;
    }
}
