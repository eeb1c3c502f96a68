using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Duri.Ops.Engine.Prometheus;
using YamlDotNet.Core;

namespace Duri.Ops.Engine.Rules
{
    /// <summary>Something wrong with a rule file's YAML or structure, at a line and column.</summary>
    public sealed class RuleFileProblem
    {
        public RuleFileProblem(string check, int line, int column, string message, string? group = null, string? rule = null)
        {
            Check = check;
            Line = line;
            Column = column;
            Message = message;
            Group = group;
            Rule = rule;
        }

        /// <summary>yaml/syntax, yaml/not-text, yaml/structure or yaml/unknown-key.</summary>
        public string Check { get; }

        public int Line { get; }

        public int Column { get; }

        public string Message { get; }

        public string? Group { get; }

        public string? Rule { get; }

        public override string ToString() => $"{Line}:{Column}: {Message}";
    }

    public sealed class RuleFileReadResult
    {
        internal RuleFileReadResult(RuleFile file, IReadOnlyList<RuleFileProblem> problems, string text)
        {
            File = file;
            Problems = problems;
            Text = text;
        }

        /// <summary>What could be read; groups and rules with structural problems are left out.</summary>
        public RuleFile File { get; }

        public IReadOnlyList<RuleFileProblem> Problems { get; }

        /// <summary>The text read, for checks that look at comments.</summary>
        public string Text { get; }
    }

    /// <summary>
    /// Reads rule files as Prometheus' rulefmt does, but keeps going after a problem so that a linter can report
    /// them all with their positions. Never throws for bad content.
    /// </summary>
    public static class RuleFileReader
    {
        /// <summary>Larger files are refused before parsing; Prometheus' own rule files are far smaller.</summary>
        public const long MaxBytes = 64L * 1024 * 1024;

        private static readonly string[] GroupKeys = { "name", "interval", "limit", "rules" };
        private static readonly string[] RuleKeys = { "record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations" };

        /// <exception cref="IOException">The file cannot be read.</exception>
        public static RuleFileReadResult Load(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"The rule file '{path}' does not exist.", path);
            if (info.Length > MaxBytes)
            {
                return Failed(path, string.Empty, new RuleFileProblem("yaml/not-text", 1, 1, $"The file is {info.Length / (1024 * 1024)} MiB; rule files over {MaxBytes / (1024 * 1024)} MiB are not read."));
            }
            return Read(ReadText(path), path);
        }

        public static RuleFileReadResult Read(string text, string source)
        {
            if (text.Length > MaxBytes) return Failed(source, string.Empty, new RuleFileProblem("yaml/not-text", 1, 1, "The text is too large to be a rule file."));
            int nul = text.IndexOf('\0');
            if (nul >= 0)
            {
                var (line, column) = PositionOf(text, nul);
                return Failed(source, text, new RuleFileProblem("yaml/not-text", line, column, "This is not a text file (it holds a NUL byte)."));
            }

            // The top mapping's problems come first, as in the file its keys come before what the groups hold.
            var topProblems = new List<RuleFileProblem>();
            var groupProblems = new List<RuleFileProblem>();
            var groups = new List<RuleGroup>();
            RuleFileProblem? laterDocument = null;
            try
            {
                var reader = new YamlTreeReader(text);
                for (int document = 0; reader.StartDocument(); document++)
                {
                    if (document == 0)
                    {
                        ReadTop(reader, topProblems, groupProblems, groups);
                    }
                    else
                    {
                        var root = reader.ReadNode();
                        if (document == 1) laterDocument = Problem("yaml/structure", root, "A rule file holds one YAML document; the later ones are ignored by Prometheus.");
                    }
                    reader.EndDocument();
                }
            }
            catch (YamlException e)
            {
                return Failed(source, text, new RuleFileProblem("yaml/syntax", Math.Max(1, (int)e.Start.Line), Math.Max(1, (int)e.Start.Column), "Not valid YAML: " + Innermost(e)));
            }

            var problems = new List<RuleFileProblem>(topProblems.Count + groupProblems.Count + 1);
            if (laterDocument != null) problems.Add(laterDocument);
            problems.AddRange(topProblems);
            problems.AddRange(groupProblems);
            return new RuleFileReadResult(new RuleFile(groups, source), problems, text);
        }

        /// <summary>
        /// The first document's root: a mapping with a 'groups' list. A plain mapping and list are read as they come,
        /// one group at a time, so that a large file's groups never sit in memory as YAML nodes all at once.
        /// </summary>
        private static void ReadTop(YamlTreeReader reader, List<RuleFileProblem> topProblems, List<RuleFileProblem> groupProblems, List<RuleGroup> groups)
        {
            var seenGroups = new Dictionary<string, int>(StringComparer.Ordinal);
            if (!reader.TryStartMapping())
            {
                var top = reader.ReadNode();
                if (top.IsNull) return;
                if (top.Kind != YamlKind.Mapping)
                {
                    topProblems.Add(Problem("yaml/structure", top, "A rule file is a mapping with a 'groups' list."));
                    return;
                }
                foreach (var entry in top.Pairs) CheckTopKey(entry.Key, topProblems);
                ReadGroups(top["groups"], groupProblems, groups, seenGroups);
                return;
            }
            bool groupsRead = false;
            while (!reader.TryEndMapping())
            {
                var key = reader.ReadNode();
                CheckTopKey(key, topProblems);
                // As with a lookup by key, only the first 'groups' counts.
                if (groupsRead || key.Kind != YamlKind.Scalar || key.Value != "groups")
                {
                    reader.ReadNode();
                    continue;
                }
                groupsRead = true;
                if (reader.TryStartSequence()) ReadGroupItems(reader.ReadItems(), groupProblems, groups, seenGroups);
                else ReadGroups(reader.ReadNode(), groupProblems, groups, seenGroups);
            }
        }

        private static void CheckTopKey(YamlTreeNode keyNode, List<RuleFileProblem> problems)
        {
            var key = keyNode.KeyText;
            if (key != "groups") problems.Add(Problem("yaml/unknown-key", keyNode, $"Unknown key '{key}'; a rule file has only 'groups'."));
        }

        private static void ReadGroups(YamlTreeNode? groupsNode, List<RuleFileProblem> problems, List<RuleGroup> groups, Dictionary<string, int> seenGroups)
        {
            if (groupsNode == null || groupsNode.IsNull) return;
            if (groupsNode.Kind != YamlKind.Sequence)
            {
                problems.Add(Problem("yaml/structure", groupsNode, "'groups' must be a list."));
                return;
            }
            ReadGroupItems(groupsNode.Items, problems, groups, seenGroups);
        }

        private static void ReadGroupItems(IEnumerable<YamlTreeNode> items, List<RuleFileProblem> problems, List<RuleGroup> groups, Dictionary<string, int> seenGroups)
        {
            foreach (var groupNode in items)
            {
                var group = ReadGroup(groupNode, problems, seenGroups);
                if (group != null) groups.Add(group);
            }
        }

        private static RuleGroup? ReadGroup(YamlTreeNode map, List<RuleFileProblem> problems, Dictionary<string, int> seenGroups)
        {
            if (map.Kind != YamlKind.Mapping)
            {
                problems.Add(Problem("yaml/structure", map, "Each group must be a mapping with 'name' and 'rules'."));
                return null;
            }
            UnknownKeys(map, GroupKeys, "a group", problems, null, null);
            var nameNode = map["name"];
            string? name = nameNode?.Text;
            if (string.IsNullOrEmpty(name))
            {
                problems.Add(Problem("yaml/structure", nameNode ?? map, "A group needs a name."));
                return null;
            }
            if (seenGroups.TryGetValue(name!, out int firstLine))
                problems.Add(Problem("yaml/structure", nameNode!, $"Group '{name}' is already defined on line {firstLine}.", name));
            else
                seenGroups[name!] = nameNode!.Line;

            TimeSpan? interval = null;
            var intervalNode = map["interval"];
            if (intervalNode != null && !intervalNode.IsNull)
            {
                if (PrometheusDuration.TryParse(intervalNode.Text ?? string.Empty, out var parsed) && parsed > TimeSpan.Zero) interval = parsed;
                else problems.Add(Problem("yaml/structure", intervalNode, $"'{intervalNode.Text}' is not a positive duration such as 30s or 1m.", name));
            }
            int? limit = null;
            var limitNode = map["limit"];
            if (limitNode != null && !limitNode.IsNull)
            {
                if (int.TryParse(limitNode.Text, out int parsedLimit) && parsedLimit >= 0) limit = parsedLimit;
                else problems.Add(Problem("yaml/structure", limitNode, $"'{limitNode.Text}' is not a limit (a whole number, 0 for none).", name));
            }

            var rules = new List<Rule>();
            var rulesNode = map["rules"];
            if (rulesNode != null && rulesNode.Kind == YamlKind.Sequence)
            {
                foreach (var ruleNode in rulesNode.Items)
                {
                    var rule = ReadRule(ruleNode, name!, problems);
                    if (rule != null) rules.Add(rule);
                }
            }
            else if (rulesNode != null && !rulesNode.IsNull)
            {
                problems.Add(Problem("yaml/structure", rulesNode, "'rules' must be a list.", name));
            }
            return new RuleGroup(name!, rules, interval, limit, map.Line, map.Column);
        }

        private static Rule? ReadRule(YamlTreeNode map, string group, List<RuleFileProblem> problems)
        {
            if (map.Kind != YamlKind.Mapping)
            {
                problems.Add(Problem("yaml/structure", map, "Each rule must be a mapping with 'record' or 'alert', and 'expr'.", group));
                return null;
            }
            // One pass over the keys; as with a lookup by key, the first of a repeated key counts.
            YamlTreeNode? recordNode = null, alertNode = null, exprNode = null, forNode = null, keepNode = null, labelsNode = null, annotationsNode = null;
            bool unknownKeys = false;
            foreach (var entry in map.Pairs)
            {
                switch (entry.Key.Kind == YamlKind.Scalar ? entry.Key.Value : null)
                {
                    case "record": recordNode ??= entry.Value; break;
                    case "alert": alertNode ??= entry.Value; break;
                    case "expr": exprNode ??= entry.Value; break;
                    case "for": forNode ??= entry.Value; break;
                    case "keep_firing_for": keepNode ??= entry.Value; break;
                    case "labels": labelsNode ??= entry.Value; break;
                    case "annotations": annotationsNode ??= entry.Value; break;
                    default: unknownKeys = true; break;
                }
            }
            string? record = recordNode?.Text;
            string? alert = alertNode?.Text;
            string? ruleName = record ?? alert;
            if (unknownKeys) UnknownKeys(map, RuleKeys, "a rule", problems, group, ruleName);
            if ((record == null) == (alert == null))
            {
                problems.Add(Problem("yaml/structure", map, "A rule needs exactly one of 'record' and 'alert'.", group, ruleName));
                return null;
            }
            if (record != null && !ExpositionReader.IsMetricName(record))
                problems.Add(Problem("yaml/structure", recordNode!, $"'{record}' is not a valid metric name for 'record'.", group, ruleName));
            if (alert != null && alert.Length == 0)
                problems.Add(Problem("yaml/structure", alertNode!, "An alert needs a name.", group, ruleName));

            string? expr = exprNode?.Text;
            if (string.IsNullOrWhiteSpace(expr))
            {
                problems.Add(Problem("yaml/structure", exprNode ?? map, "A rule needs an 'expr'.", group, ruleName));
                return null;
            }

            TimeSpan? @for = null;
            if (forNode != null && !forNode.IsNull)
            {
                if (record != null) problems.Add(Problem("yaml/structure", forNode, "'for' applies to alerting rules only.", group, ruleName));
                else if (PrometheusDuration.TryParse(forNode.Text ?? string.Empty, out var parsed)) @for = parsed;
                else problems.Add(Problem("yaml/structure", forNode, $"'{forNode.Text}' is not a duration.", group, ruleName));
            }
            if (keepNode != null && record != null)
                problems.Add(Problem("yaml/structure", keepNode, "'keep_firing_for' applies to alerting rules only.", group, ruleName));
            var labels = StringMap(labelsNode, "labels", true, group, ruleName, problems);
            if (annotationsNode != null && record != null)
                problems.Add(Problem("yaml/structure", annotationsNode, "'annotations' apply to alerting rules only.", group, ruleName));
            var annotations = StringMap(annotationsNode, "annotations", false, group, ruleName, problems);

            // A block scalar's text starts on the line after its indicator.
            bool block = exprNode!.Style == ScalarStyle.Literal || exprNode.Style == ScalarStyle.Folded;
            int exprLine = exprNode.Line + (block ? 1 : 0);
            int exprColumn = block ? map.Column + 2 : exprNode.Column + (exprNode.Style == ScalarStyle.Plain ? 0 : 1);
            return new Rule(record, alert, expr!, @for, labels, annotations, map.Line, map.Column, exprLine, exprColumn);
        }

        private static IReadOnlyDictionary<string, string>? StringMap(YamlTreeNode? map, string what, bool labelNames, string group, string? rule, List<RuleFileProblem> problems)
        {
            if (map == null || map.IsNull) return null;
            if (map.Kind != YamlKind.Mapping)
            {
                problems.Add(Problem("yaml/structure", map, $"'{what}' must be a mapping of names to strings.", group, rule));
                return null;
            }
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.Pairs)
            {
                var key = entry.Key.KeyText;
                if (labelNames && !ExpositionReader.IsLabelName(key))
                    problems.Add(Problem("yaml/structure", entry.Key, $"'{key}' is not a valid label name.", group, rule));
                var value = entry.Value;
                if (value.Kind != YamlKind.Scalar)
                {
                    problems.Add(Problem("yaml/structure", entry.Value, $"The value of '{key}' in '{what}' must be a string.", group, rule));
                    continue;
                }
                result[key] = value.Value ?? string.Empty;
            }
            return result;
        }

        private static void UnknownKeys(YamlTreeNode map, string[] known, string what, List<RuleFileProblem> problems, string? group, string? rule)
        {
            foreach (var entry in map.Pairs)
            {
                var key = entry.Key.KeyText;
                if (Array.IndexOf(known, key) < 0)
                    problems.Add(Problem("yaml/unknown-key", entry.Key, $"Unknown key '{key}' in {what}; known keys: {string.Join(", ", known)}.", group, rule));
            }
        }

        /// <summary>
        /// The file's text as <see cref="File.ReadAllText(string)"/> gives it (UTF-8 unless a byte order mark says otherwise),
        /// decoded from pooled bytes in one step rather than built up in chunks and copied.
        /// </summary>
        private static string ReadText(string path)
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
            {
                var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(stream.Length + 1, MaxBytes + 1));
                try
                {
                    int length = 0;
                    for (int read; length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0;) length += read;
                    // Grown since it was measured, or not UTF-8: leave it to the framework.
                    if (length == buffer.Length || IsUnicodeOtherThanUtf8(buffer, length)) return File.ReadAllText(path);
                    int start = length >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
                    return Encoding.UTF8.GetString(buffer, start, length - start);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }

        /// <summary>A UTF-16 or UTF-32 byte order mark.</summary>
        private static bool IsUnicodeOtherThanUtf8(byte[] bytes, int length) =>
            (length >= 2 && ((bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE)))
            || (length >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0xFE && bytes[3] == 0xFF);

        private static RuleFileReadResult Failed(string source, string text, RuleFileProblem problem) =>
            new RuleFileReadResult(new RuleFile(Array.Empty<RuleGroup>(), source), new[] { problem }, text);

        private static RuleFileProblem Problem(string check, YamlTreeNode node, string message, string? group = null, string? rule = null) =>
            new RuleFileProblem(check, Math.Max(1, node.Line), Math.Max(1, node.Column), message, group, rule);

        private static string Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e.Message;
        }

        private static (int Line, int Column) PositionOf(string text, int index)
        {
            int line = 1, column = 1;
            for (int i = 0; i < index; i++)
            {
                if (text[i] == '\n') { line++; column = 1; }
                else column++;
            }
            return (line, column);
        }
    }
}
