using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Rules
{
    /// <summary>
    /// Writes rule files in one stable layout (so generated files can be compared byte for byte) that
    /// promtool and Prometheus read back unchanged: expressions as literal block scalars, strings double-quoted.
    /// </summary>
    public static class RuleFileWriter
    {
        public static string Write(RuleFile file, IEnumerable<string>? headerComments = null)
        {
            var sb = new StringBuilder();
            foreach (var comment in headerComments ?? Enumerable.Empty<string>())
            {
                foreach (var line in comment.Split('\n')) sb.Append(line.Length == 0 ? "#" : "# " + line).Append('\n');
            }
            sb.Append("groups:\n");
            foreach (var group in file.Groups)
            {
                sb.Append("  - name: ").Append(Quote(group.Name)).Append('\n');
                if (group.Interval.HasValue) sb.Append("    interval: ").Append(PrometheusDuration.Format(group.Interval.Value)).Append('\n');
                if (group.Limit.HasValue) sb.Append("    limit: ").Append(group.Limit.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
                sb.Append("    rules:\n");
                foreach (var rule in group.Rules)
                {
                    sb.Append(rule.IsRecording ? "      - record: " : "      - alert: ").Append(Quote(rule.Name)).Append('\n');
                    var lines = rule.Expression.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
                    // YAML takes a block's indentation from its first line unless told; tell it when that line is indented.
                    sb.Append(lines[0].StartsWith(" ", System.StringComparison.Ordinal) ? "        expr: |2-\n" : "        expr: |-\n");
                    foreach (var line in lines)
                        sb.Append(line.Length == 0 ? string.Empty : "          " + line).Append('\n');
                    if (rule.For.HasValue) sb.Append("        for: ").Append(PrometheusDuration.Format(rule.For.Value)).Append('\n');
                    AppendMap(sb, "labels", rule.Labels);
                    AppendMap(sb, "annotations", rule.Annotations);
                }
            }
            return sb.ToString();
        }

        private static void AppendMap(StringBuilder sb, string name, IReadOnlyDictionary<string, string> map)
        {
            if (map.Count == 0) return;
            sb.Append("        ").Append(name).Append(":\n");
            foreach (var entry in map.OrderBy(e => e.Key, System.StringComparer.Ordinal))
                sb.Append("          ").Append(Quote(entry.Key)).Append(": ").Append(Quote(entry.Value)).Append('\n');
        }

        private static readonly string[] YamlWords = { "true", "false", "yes", "no", "on", "off", "null", "y", "n" };

        /// <summary>Plain when the text is a simple name YAML reads back as the same string; otherwise double-quoted and escaped.</summary>
        private static string Quote(string text)
        {
            if (IsPlainSafe(text)) return text;
            var sb = new StringBuilder("\"");
            foreach (char c in text)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\r': sb.Append("\\r"); break;
                    default:
                        if (c < 0x20) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            return sb.Append('"').ToString();
        }

        private static bool IsPlainSafe(string text)
        {
            if (text.Length == 0 || !(char.IsLetter(text[0]) || text[0] == '_')) return false;
            if (YamlWords.Contains(text.ToLowerInvariant())) return false;
            return text.All(c => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '/');
        }
    }
}
