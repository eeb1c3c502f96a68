using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Duri.Ops.Engine.Prometheus
{
    public enum MetricType
    {
        Untyped,
        Counter,
        Gauge,
        Histogram,
        Summary,
    }

    /// <summary>One sample line of a metrics page.</summary>
    public sealed class ExpositionSample
    {
        public ExpositionSample(string name, LabelSet labels, double value, long? timestampMilliseconds)
        {
            Name = name;
            Labels = labels;
            Value = value;
            TimestampMilliseconds = timestampMilliseconds;
        }

        public string Name { get; }

        public LabelSet Labels { get; }

        public double Value { get; }

        public long? TimestampMilliseconds { get; }

        public DateTimeOffset? Timestamp =>
            TimestampMilliseconds.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds(TimestampMilliseconds.Value) : (DateTimeOffset?)null;

        public override string ToString() => Name + Labels + " " + PrometheusValue.Format(Value);
    }

    /// <summary>A metric family: its HELP, TYPE and samples (for histograms and summaries, _bucket, _sum and _count too).</summary>
    public sealed class MetricFamily
    {
        internal MetricFamily(string name, MetricType type, string help)
        {
            Name = name;
            Type = type;
            Help = help;
        }

        public string Name { get; }

        public MetricType Type { get; internal set; }

        public string Help { get; internal set; }

        public IReadOnlyList<ExpositionSample> Samples => SampleList;

        internal List<ExpositionSample> SampleList { get; } = new List<ExpositionSample>();

        public override string ToString() => Name + " (" + Type + ", " + SampleList.Count + " samples)";
    }

    /// <summary>Reads the Prometheus text exposition format (version 0.0.4).</summary>
    public static class ExpositionReader
    {
        /// <exception cref="FormatException">A line that is not valid, with its line number.</exception>
        public static IReadOnlyList<MetricFamily> Read(string text)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            var families = new List<MetricFamily>();
            var byName = new Dictionary<string, MetricFamily>(StringComparer.Ordinal);
            MetricFamily? current = null;
            var reader = new StringReader(text);
            var labelScratch = new List<KeyValuePair<string, string>>();
            string? line;
            int lineNumber = 0;
            while ((line = reader.ReadLine()) != null)
            {
                lineNumber++;
                if (line.Trim().Length == 0) continue;
                try
                {
                    if (line[0] == '#')
                    {
                        current = ReadComment(line, families, byName) ?? current;
                        continue;
                    }
                    var sample = ReadSample(line, labelScratch);
                    if (current == null || !BelongsTo(sample.Name, current))
                    {
                        if (!byName.TryGetValue(sample.Name, out current))
                        {
                            current = new MetricFamily(sample.Name, MetricType.Untyped, string.Empty);
                            families.Add(current);
                            byName.Add(current.Name, current);
                        }
                    }
                    current.SampleList.Add(sample);
                }
                catch (FormatException e)
                {
                    throw new FormatException($"Line {lineNumber}: {e.Message}", e);
                }
            }
            return families;
        }

        private static bool BelongsTo(string sampleName, MetricFamily family)
        {
            if (sampleName == family.Name) return true;
            if (family.Type != MetricType.Histogram && family.Type != MetricType.Summary) return false;
            if (!sampleName.StartsWith(family.Name, StringComparison.Ordinal)) return false;
            string suffix = sampleName.Substring(family.Name.Length);
            return suffix == "_sum" || suffix == "_count" || (suffix == "_bucket" && family.Type == MetricType.Histogram);
        }

        private static MetricFamily? ReadComment(string line, List<MetricFamily> families, Dictionary<string, MetricFamily> byName)
        {
            int pos = 1;
            SkipSpaces(line, ref pos);
            string keyword = ReadToken(line, ref pos);
            if (keyword != "HELP" && keyword != "TYPE") return null;
            SkipSpaces(line, ref pos);
            string name = ReadToken(line, ref pos);
            if (!IsMetricName(name)) throw new FormatException($"'{name}' is not a valid metric name in a {keyword} line.");
            if (pos < line.Length) pos++;
            string rest = line.Substring(Math.Min(pos, line.Length));
            if (!byName.TryGetValue(name, out var family))
            {
                family = new MetricFamily(name, MetricType.Untyped, string.Empty);
                families.Add(family);
                byName.Add(name, family);
            }
            if (keyword == "HELP") family.Help = UnescapeHelp(rest);
            else family.Type = ParseType(rest.Trim());
            return family;
        }

        private static MetricType ParseType(string text)
        {
            switch (text)
            {
                case "counter": return MetricType.Counter;
                case "gauge": return MetricType.Gauge;
                case "histogram": return MetricType.Histogram;
                case "summary": return MetricType.Summary;
                case "untyped": return MetricType.Untyped;
                default: throw new FormatException($"'{text}' is not a metric type.");
            }
        }

        private static ExpositionSample ReadSample(string line, List<KeyValuePair<string, string>> labelScratch)
        {
            int pos = 0;
            int start = pos;
            while (pos < line.Length && line[pos] != '{' && line[pos] != ' ' && line[pos] != '\t') pos++;
            string name = line.Substring(start, pos - start);
            if (!IsMetricName(name)) throw new FormatException($"'{name}' is not a valid metric name.");
            labelScratch.Clear();
            if (pos < line.Length && line[pos] == '{') ReadLabels(line, ref pos, labelScratch);
            LabelSet labels;
            try { labels = LabelSet.FromUnsorted(labelScratch); }
            catch (ArgumentException e) { throw new FormatException(e.Message); }
            SkipSpaces(line, ref pos);
            string valueText = ReadToken(line, ref pos);
            if (!PrometheusValue.TryParse(valueText, out double value)) throw new FormatException($"'{valueText}' is not a sample value.");
            SkipSpaces(line, ref pos);
            long? timestamp = null;
            if (pos < line.Length)
            {
                string timestampText = ReadToken(line, ref pos);
                if (!long.TryParse(timestampText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long ms))
                    throw new FormatException($"'{timestampText}' is not a timestamp in milliseconds.");
                timestamp = ms;
                SkipSpaces(line, ref pos);
                if (pos < line.Length) throw new FormatException("Unexpected text after the timestamp.");
            }
            return new ExpositionSample(name, labels, value, timestamp);
        }

        private static void ReadLabels(string line, ref int pos, List<KeyValuePair<string, string>> labels)
        {
            pos++;
            while (true)
            {
                SkipSpaces(line, ref pos);
                if (pos >= line.Length) throw new FormatException("Unterminated label set.");
                if (line[pos] == '}') { pos++; return; }
                int start = pos;
                while (pos < line.Length && line[pos] != '=' && line[pos] != ' ') pos++;
                string labelName = line.Substring(start, pos - start);
                if (!IsLabelName(labelName)) throw new FormatException($"'{labelName}' is not a valid label name.");
                SkipSpaces(line, ref pos);
                if (pos >= line.Length || line[pos] != '=') throw new FormatException($"Expected '=' after label '{labelName}'.");
                pos++;
                SkipSpaces(line, ref pos);
                if (pos >= line.Length || line[pos] != '"') throw new FormatException($"Expected a quoted value for label '{labelName}'.");
                pos++;
                var value = new StringBuilder();
                while (true)
                {
                    if (pos >= line.Length) throw new FormatException($"Unterminated value for label '{labelName}'.");
                    char c = line[pos++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (pos >= line.Length) throw new FormatException("Bad escape at the end of a label value.");
                        char e = line[pos++];
                        if (e == 'n') value.Append('\n');
                        else if (e == '\\' || e == '"') value.Append(e);
                        else throw new FormatException($"Invalid escape '\\{e}' in label '{labelName}'.");
                    }
                    else value.Append(c);
                }
                labels.Add(new KeyValuePair<string, string>(labelName, value.ToString()));
                SkipSpaces(line, ref pos);
                if (pos < line.Length && line[pos] == ',') pos++;
                else if (pos < line.Length && line[pos] != '}') throw new FormatException("Expected ',' or '}' in the label set.");
            }
        }

        private static string UnescapeHelp(string text)
        {
            var sb = new StringBuilder(text.Length);
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] == '\\' && i + 1 < text.Length && (text[i + 1] == 'n' || text[i + 1] == '\\'))
                {
                    sb.Append(text[i + 1] == 'n' ? '\n' : '\\');
                    i++;
                }
                else sb.Append(text[i]);
            }
            return sb.ToString();
        }

        private static string ReadToken(string line, ref int pos)
        {
            int start = pos;
            while (pos < line.Length && line[pos] != ' ' && line[pos] != '\t') pos++;
            return line.Substring(start, pos - start);
        }

        private static void SkipSpaces(string line, ref int pos)
        {
            while (pos < line.Length && (line[pos] == ' ' || line[pos] == '\t')) pos++;
        }

        /// <summary>[a-zA-Z_:][a-zA-Z0-9_:]*</summary>
        public static bool IsMetricName(string name) => IsName(name, allowColon: true);

        /// <summary>[a-zA-Z_][a-zA-Z0-9_]*</summary>
        public static bool IsLabelName(string name) => IsName(name, allowColon: false);

        private static bool IsName(string name, bool allowColon)
        {
            if (string.IsNullOrEmpty(name)) return false;
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allowColon && c == ':') || (i > 0 && c >= '0' && c <= '9');
                if (!ok) return false;
            }
            return true;
        }
    }
}
