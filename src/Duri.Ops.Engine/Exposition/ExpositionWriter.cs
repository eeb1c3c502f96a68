using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Exposition
{
    /// <summary>
    /// Formats metric families in the Prometheus text exposition format (version 0.0.4): HELP and TYPE lines,
    /// then samples, with HELP text and label values escaped as the format requires.
    /// </summary>
    public sealed class ExpositionWriter
    {
        private readonly StringBuilder _text;

        public ExpositionWriter(StringBuilder text)
        {
            _text = text ?? throw new ArgumentNullException(nameof(text));
        }

        /// <summary>Writes the HELP and TYPE lines that open a family.</summary>
        public ExpositionWriter Family(string name, MetricType type, string help)
        {
            if (!ExpositionReader.IsMetricName(name)) throw new ArgumentException($"'{name}' is not a valid metric name.", nameof(name));
            _text.Append("# HELP ").Append(name).Append(' ');
            AppendEscaped(_text, help, escapeQuote: false);
            _text.Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(TypeName(type)).Append('\n');
            return this;
        }

        /// <summary>Writes one sample line; the labels must have valid names (see <see cref="DescribeInvalidLabelName"/>).</summary>
        public ExpositionWriter Sample(string name, IEnumerable<KeyValuePair<string, string>> labels, double value)
        {
            _text.Append(name);
            AppendLabels(name, labels);
            _text.Append(' ').Append(FormatValue(value)).Append('\n');
            return this;
        }

        /// <summary>Writes one sample line with an integer value, printed exactly.</summary>
        public ExpositionWriter Sample(string name, IEnumerable<KeyValuePair<string, string>> labels, long value)
        {
            _text.Append(name);
            AppendLabels(name, labels);
            _text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            return this;
        }

        /// <summary>Writes a Unix time in seconds with millisecond precision, printed exactly (no binary rounding).</summary>
        public ExpositionWriter SampleUnixSeconds(string name, IEnumerable<KeyValuePair<string, string>> labels, DateTimeOffset time)
        {
            _text.Append(name);
            AppendLabels(name, labels);
            long ms = time.ToUnixTimeMilliseconds();
            long seconds = ms / 1000, fraction = ms % 1000;
            if (fraction < 0)
            {
                seconds--;
                fraction += 1000;
            }
            _text.Append(' ').Append(seconds.ToString(CultureInfo.InvariantCulture)).Append('.').Append(fraction.ToString("000", CultureInfo.InvariantCulture)).Append('\n');
            return this;
        }

        private void AppendLabels(string name, IEnumerable<KeyValuePair<string, string>> labels)
        {
            bool first = true;
            foreach (var label in labels)
            {
                string? problem = DescribeInvalidLabelName(label.Key);
                if (problem != null) throw new ArgumentException($"Sample {name}: {problem}", nameof(labels));
                _text.Append(first ? '{' : ',').Append(label.Key).Append("=\"");
                AppendEscaped(_text, label.Value ?? string.Empty, escapeQuote: true);
                _text.Append('"');
                first = false;
            }
            if (!first) _text.Append('}');
        }

        /// <summary>Why <paramref name="name"/> cannot be a label name of an exported sample, or null when it can.</summary>
        public static string? DescribeInvalidLabelName(string? name)
        {
            if (string.IsNullOrEmpty(name)) return "a label name cannot be empty.";
            if (!ExpositionReader.IsLabelName(name!)) return $"'{name}' is not a valid label name; use letters, digits and underscores, not starting with a digit.";
            if (name!.StartsWith("__", StringComparison.Ordinal)) return $"'{name}' starts with '__', which Prometheus reserves for internal labels.";
            return null;
        }

        /// <summary>A label value escaped for the text format: backslash, double quote and line feed.</summary>
        public static string EscapeLabelValue(string value)
        {
            var sb = new StringBuilder(value.Length + 4);
            AppendEscaped(sb, value, escapeQuote: true);
            return sb.ToString();
        }

        /// <summary>HELP text escaped for the text format: backslash and line feed.</summary>
        public static string EscapeHelp(string help)
        {
            var sb = new StringBuilder(help.Length + 4);
            AppendEscaped(sb, help, escapeQuote: false);
            return sb.ToString();
        }

        /// <summary>A sample value as the text format spells it: NaN, +Inf, -Inf, or the shortest round-trip number.</summary>
        public static string FormatValue(double value)
        {
            if (double.IsNaN(value)) return "NaN";
            if (double.IsPositiveInfinity(value)) return "+Inf";
            if (double.IsNegativeInfinity(value)) return "-Inf";
            return value.ToString("R", CultureInfo.InvariantCulture);
        }

        private static string TypeName(MetricType type)
        {
            switch (type)
            {
                case MetricType.Counter: return "counter";
                case MetricType.Gauge: return "gauge";
                case MetricType.Histogram: return "histogram";
                case MetricType.Summary: return "summary";
                default: return "untyped";
            }
        }

        private static void AppendEscaped(StringBuilder sb, string value, bool escapeQuote)
        {
            foreach (char c in value)
            {
                switch (c)
                {
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '"' when escapeQuote: sb.Append("\\\""); break;
                    default: sb.Append(c); break;
                }
            }
        }
    }
}
