using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
            return Read(File.ReadAllText(path), path);
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

            List<YamlTreeNode> documents;
            try
            {
                documents = YamlTree.Parse(text);
            }
            catch (YamlException e)
            {
                return Failed(source, text, new RuleFileProblem("yaml/syntax", Math.Max(1, (int)e.Start.Line), Math.Max(1, (int)e.Start.Column), "Not valid YAML: " + Innermost(e)));
            }

            var problems = new List<RuleFileProblem>();
            var groups = new List<RuleGroup>();
            if (documents.Count > 1)
                problems.Add(Problem("yaml/structure", documents[1], "A rule file holds one YAML document; the later ones are ignored by Prometheus."));
            var top = documents.Count == 0 ? null : documents[0];
            if (top == null || top.IsNull) return new RuleFileReadResult(new RuleFile(groups, source), problems, text);
            if (top.Kind != YamlKind.Mapping)
            {
                problems.Add(Problem("yaml/structure", top, "A rule file is a mapping with a 'groups' list."));
                return new RuleFileReadResult(new RuleFile(groups, source), problems, text);
            }
            foreach (var entry in top.Pairs)
            {
                var key = entry.Key.KeyText;
                if (key != "groups") problems.Add(Problem("yaml/unknown-key", entry.Key, $"Unknown key '{key}'; a rule file has only 'groups'."));
            }
            var groupsNode = top["groups"];
            if (groupsNode == null || groupsNode.IsNull)
            {
                return new RuleFileReadResult(new RuleFile(groups, source), problems, text);
            }
            if (groupsNode.Kind != YamlKind.Sequence)
            {
                problems.Add(Problem("yaml/structure", groupsNode, "'groups' must be a list."));
                return new RuleFileReadResult(new RuleFile(groups, source), problems, text);
            }
            var seenGroups = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var groupNode in groupsNode.Items)
            {
                var group = ReadGroup(groupNode, problems, seenGroups);
                if (group != null) groups.Add(group);
            }
            return new RuleFileReadResult(new RuleFile(groups, source), problems, text);
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
            string? record = map["record"]?.Text;
            string? alert = map["alert"]?.Text;
            string? ruleName = record ?? alert;
            UnknownKeys(map, RuleKeys, "a rule", problems, group, ruleName);
            if ((record == null) == (alert == null))
            {
                problems.Add(Problem("yaml/structure", map, "A rule needs exactly one of 'record' and 'alert'.", group, ruleName));
                return null;
            }
            if (record != null && !ExpositionReader.IsMetricName(record))
                problems.Add(Problem("yaml/structure", map["record"]!, $"'{record}' is not a valid metric name for 'record'.", group, ruleName));
            if (alert != null && alert.Length == 0)
                problems.Add(Problem("yaml/structure", map["alert"]!, "An alert needs a name.", group, ruleName));

            var exprNode = map["expr"];
            string? expr = exprNode?.Text;
            if (string.IsNullOrWhiteSpace(expr))
            {
                problems.Add(Problem("yaml/structure", exprNode ?? map, "A rule needs an 'expr'.", group, ruleName));
                return null;
            }

            TimeSpan? @for = null;
            var forNode = map["for"];
            if (forNode != null && !forNode.IsNull)
            {
                if (record != null) problems.Add(Problem("yaml/structure", forNode, "'for' applies to alerting rules only.", group, ruleName));
                else if (PrometheusDuration.TryParse(forNode.Text ?? string.Empty, out var parsed)) @for = parsed;
                else problems.Add(Problem("yaml/structure", forNode, $"'{forNode.Text}' is not a duration.", group, ruleName));
            }
            var keepNode = map["keep_firing_for"];
            if (keepNode != null && record != null)
                problems.Add(Problem("yaml/structure", keepNode, "'keep_firing_for' applies to alerting rules only.", group, ruleName));
            var labels = StringMap(map["labels"], "labels", true, group, ruleName, problems);
            var annotationsNode = map["annotations"];
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
