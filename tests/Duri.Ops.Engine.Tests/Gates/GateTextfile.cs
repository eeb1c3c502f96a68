using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Duri.Ops.Engine.Exposition;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Tests.Support;

namespace Duri.Ops.Engine.Tests.Gates
{
    /// <summary>The runbook's gate metrics as raw series, written atomically for node_exporter's textfile collector.</summary>
    internal static class GateTextfile
    {
        public const string Heartbeat = "heartbeat";
        public const string Lyapunov = "lyapunov";
        public const string Canary = "canary";
        public const string GreenUptime = "green_uptime";

        /// <summary>Each gate of the default policy, the metric it reads and a value that passes it.</summary>
        public static readonly IReadOnlyList<(string Gate, string Metric, double Healthy)> Gates = new[]
        {
            (Heartbeat, "duri_heartbeat_ok", 1.0),
            (Lyapunov, "duri_lyapunov_v", 0.05),
            (Canary, "duri_canary_unique_ratio", 0.95),
            (GreenUptime, "duri_green_uptime_ratio", 1.0),
        };

        public static string DefaultPolicyPath => Path.Combine(RepositoryPaths.Root, "module", "policy", "l4-dryrun.yml");

        public static GatePolicy DefaultPolicy(string realm) => GatePolicyReader.Load(DefaultPolicyPath).WithRealm(realm);

        public static Dictionary<string, double?> Healthy() => Gates.ToDictionary(g => g.Gate, g => (double?)g.Healthy);

        /// <summary>One realm's gate series (a null value leaves the series out) and, unless it is a stray, its heartbeat timestamp.</summary>
        public static IEnumerable<(string Metric, LabelSet Labels, double Value)> Realm(string realm, IReadOnlyDictionary<string, double?> values, string? strayPath = null)
        {
            var pairs = new List<KeyValuePair<string, string>> { new KeyValuePair<string, string>("metric_realm", realm) };
            if (strayPath != null) pairs.Add(new KeyValuePair<string, string>("path", strayPath));
            var labels = LabelSet.Create(pairs);
            foreach (var (gate, metric, _) in Gates)
            {
                if (values.TryGetValue(gate, out var value) && value.HasValue) yield return (metric, labels, value.Value);
            }
            if (strayPath == null) yield return (CanonicalRules.TimestampMetric, labels, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        }

        /// <summary>Writes the series atomically, each metric's samples together as the text format wants them.</summary>
        public static void Write(string directory, string file, IEnumerable<(string Metric, LabelSet Labels, double Value)> series)
        {
            var text = new StringBuilder();
            var writer = new ExpositionWriter(text);
            foreach (var family in series.GroupBy(s => s.Metric))
            {
                writer.Family(family.Key, MetricType.Gauge, "Written by the gate tests.");
                foreach (var sample in family) writer.Sample(family.Key, sample.Labels, sample.Value);
            }
            AtomicFile.WriteAllText(Path.Combine(directory, file), text.ToString());
        }
    }
}
