using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Duri.Ops.Engine.Exposition;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Rules;

namespace Duri.Ops.Tests.Support
{
    /// <summary>
    /// History written the documented way: an OpenMetrics file turned into TSDB blocks by
    /// <c>promtool tsdb create-blocks-from openmetrics</c>, for a sandbox to start on (SandboxOptions.BlocksDirectory).
    /// </summary>
    public sealed class Backfill
    {
        private readonly Dictionary<string, List<(LabelSet Labels, List<(long Ms, double Value)> Samples)>> _families =
            new Dictionary<string, List<(LabelSet, List<(long, double)>)>>(StringComparer.Ordinal);

        /// <summary>Adds a series' samples (in time order).</summary>
        public void Add(string metric, LabelSet labels, IEnumerable<(DateTimeOffset Time, double Value)> samples)
        {
            if (!_families.TryGetValue(metric, out var family)) _families[metric] = family = new List<(LabelSet, List<(long, double)>)>();
            var existing = family.FirstOrDefault(s => s.Labels.Equals(labels));
            if (existing.Samples == null)
            {
                existing = (labels, new List<(long, double)>());
                family.Add(existing);
            }
            existing.Samples.AddRange(samples.Select(s => (s.Time.ToUnixTimeMilliseconds(), s.Value)));
        }

        public int SampleCount => _families.Values.Sum(f => f.Sum(s => s.Samples.Count));

        /// <summary>The OpenMetrics text: each family together, each series in time order, timestamps in seconds, # EOF last.</summary>
        public string ToOpenMetrics()
        {
            var text = new StringBuilder();
            foreach (var family in _families)
            {
                text.Append("# TYPE ").Append(family.Key).Append(" gauge\n");
                foreach (var (labels, samples) in family.Value)
                {
                    string selector = family.Key + "{" + string.Join(",", labels.Select(l => l.Key + "=\"" + ExpositionWriter.EscapeLabelValue(l.Value) + "\"")) + "}";
                    foreach (var (ms, value) in samples.OrderBy(s => s.Ms))
                    {
                        text.Append(selector).Append(' ').Append(ExpositionWriter.FormatValue(value)).Append(' ')
                            .Append((ms / 1000).ToString(CultureInfo.InvariantCulture)).Append('.').Append((ms % 1000).ToString("000", CultureInfo.InvariantCulture)).Append('\n');
                    }
                }
            }
            text.Append("# EOF\n");
            return text.ToString();
        }

        /// <summary>Runs promtool and returns the directory holding the blocks it wrote.</summary>
        public string CreateBlocks()
        {
            var dir = Path.Combine(Path.GetTempPath(), "duri-backfill-" + Guid.NewGuid().ToString("N"));
            var blocks = Path.Combine(dir, "blocks");
            Directory.CreateDirectory(blocks);
            var input = Path.Combine(dir, "history.om");
            File.WriteAllText(input, ToOpenMetrics(), new UTF8Encoding(false));
            var run = Promtool.RunAsync(new[] { "tsdb", "create-blocks-from", "openmetrics", input, blocks }, dir, CancellationToken.None).GetAwaiter().GetResult();
            if (run.ExitCode != 0 || Directory.GetDirectories(blocks).Length == 0)
                throw new InvalidOperationException($"promtool tsdb create-blocks-from openmetrics failed ({run.ExitCode}): {run.Output} {run.Error}");
            return blocks;
        }

        /// <summary>Samples every <paramref name="step"/> from <paramref name="from"/> up to and including <paramref name="to"/>.</summary>
        public static IEnumerable<(DateTimeOffset, double)> Every(TimeSpan step, DateTimeOffset from, DateTimeOffset to, Func<DateTimeOffset, double?> value)
        {
            for (var t = from; t <= to; t += step)
            {
                var v = value(t);
                if (v.HasValue) yield return (t, v.Value);
            }
        }
    }
}
