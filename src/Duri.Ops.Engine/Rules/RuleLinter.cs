using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Rules.PromQL;

namespace Duri.Ops.Engine.Rules
{
    public enum LintSeverity
    {
        Warning,
        Error,
    }

    /// <summary>One problem the linter found, where it is and which check found it.</summary>
    public sealed class LintFinding
    {
        public LintFinding(string file, int line, int column, string? group, string? rule, string check, LintSeverity severity, string message)
        {
            File = file;
            Line = line;
            Column = column;
            Group = group;
            Rule = rule;
            Check = check;
            Severity = severity;
            Message = message;
        }

        public string File { get; }

        public int Line { get; }

        public int Column { get; }

        public string? Group { get; }

        public string? Rule { get; }

        /// <summary>The check's id, as named in a <c># duri-lint disable</c> comment.</summary>
        public string Check { get; }

        public LintSeverity Severity { get; }

        public string Message { get; }

        public override string ToString() => $"{File}:{Line}:{Column}: {Severity.ToString().ToLowerInvariant()} [{Check}] {Message}";
    }

    public sealed class LintOptions
    {
        /// <summary>The metric_realm every duri_* selector must be filtered with.</summary>
        public string Realm { get; set; } = "prod";

        public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(30);

        public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Checks not to run at all.</summary>
        public ISet<string> ExcludedChecks { get; } = new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>
    /// The runbook's obs-lint: rule files checked for structure, PromQL syntax and the conventions the gates
    /// rely on. A check can be switched off for one rule with a comment inside it or just above it:
    /// <c># duri-lint disable range/too-short</c> (several ids separated by commas or spaces).
    /// </summary>
    public static class RuleLinter
    {
        public const string Syntax = "promql/syntax";
        public const string DuplicateRecord = "rule/duplicate-record";
        public const string MissingRealm = "realm/missing-matcher";
        public const string RangeTooShort = "range/too-short";
        public const string HeartbeatWindow = "heartbeat/window-too-short";
        public const string RatioUnbounded = "ratio/unbounded";
        public const string RateOnGauge = "counter/rate-on-gauge";
        public const string ChangesOnCounter = "counter/changes-on-counter";

        /// <summary>Every check the linter has, with what it looks for.</summary>
        public static readonly IReadOnlyDictionary<string, string> Checks = new Dictionary<string, string>
        {
            ["yaml/syntax"] = "The file is YAML.",
            ["yaml/not-text"] = "The file is text of a sensible size.",
            ["yaml/structure"] = "Groups and rules have the fields Prometheus requires, with valid values.",
            ["yaml/unknown-key"] = "No key Prometheus does not know (it refuses them).",
            [Syntax] = "Every expression is PromQL that Prometheus 2.42 accepts.",
            [DuplicateRecord] = "No record name twice in a group.",
            [MissingRealm] = "Every selector of a duri_* metric has the metric_realm matcher.",
            [RangeTooShort] = "Range windows span at least 4 scrape intervals.",
            [HeartbeatWindow] = "Heartbeat windows span at least HB + 2*SI.",
            [RatioUnbounded] = "Recording rules named *_ratio or *:ratio are forced into [0, 1].",
            [RateOnGauge] = "rate, irate and increase read counters (_total, _count, _sum, _bucket).",
            [ChangesOnCounter] = "changes, deriv, delta, idelta and predict_linear do not read counters.",
        };

        private static readonly string[] CounterSuffixes = { "_total", "_count", "_sum", "_bucket" };
        private static readonly string[] CounterFunctions = { "rate", "irate", "increase" };
        private static readonly string[] GaugeFunctions = { "changes", "deriv", "delta", "idelta", "predict_linear" };
        private static readonly Regex DisableComment = new Regex(@"#\s*duri-lint\s+disable\s+(?<ids>[A-Za-z0-9/_\-, ]+)", RegexOptions.Compiled);

        public static IReadOnlyList<LintFinding> Lint(RuleFileReadResult read, LintOptions options)
        {
            var findings = new List<LintFinding>();
            string file = read.File.Source;
            foreach (var problem in read.Problems)
                findings.Add(new LintFinding(file, problem.Line, problem.Column, problem.Group, problem.Rule, problem.Check, LintSeverity.Error, problem.Message));

            var lines = read.Text.Split('\n');
            var rules = read.File.Groups.SelectMany(g => g.Rules.Select((rule, index) => (Group: g, Index: index))).ToArray();
            var firstRecordedOn = new int[rules.Length];
            var seen = new Dictionary<(RuleGroup, string), int>();
            for (int i = 0; i < rules.Length; i++)
            {
                var rule = rules[i].Group.Rules[rules[i].Index];
                if (!rule.IsRecording) continue;
                if (seen.TryGetValue((rules[i].Group, rule.Name), out int line)) firstRecordedOn[i] = line;
                else seen[(rules[i].Group, rule.Name)] = rule.Line;
            }
            var perRule = new List<LintFinding>[rules.Length];
            // Rules are independent once read, and parsing their PromQL is most of the work: spread it over the cores.
            for (int i = 0; i < rules.Length; i++) perRule[i] = LintRule(file, lines, rules[i].Group, rules[i].Index, firstRecordedOn[i], options);
            foreach (var ruleFindings in perRule) findings.AddRange(ruleFindings);
            return findings.Where(f => !options.ExcludedChecks.Contains(f.Check))
                .OrderBy(f => f.Line).ThenBy(f => f.Column).ThenBy(f => f.Check, StringComparer.Ordinal).ToList();
        }

        private static List<LintFinding> LintRule(string file, string[] lines, RuleGroup group, int index, int firstRecordedOn, LintOptions options)
        {
            var rule = group.Rules[index];
            int nextLine = index + 1 < group.Rules.Count ? group.Rules[index + 1].Line : int.MaxValue;
            var ruleFindings = new List<LintFinding>();
            void Report(string check, LintSeverity severity, int line, int column, string message) =>
                ruleFindings.Add(new LintFinding(file, line, column, group.Name, rule.Name, check, severity, message));

            if (firstRecordedOn > 0)
                Report(DuplicateRecord, LintSeverity.Warning, rule.Line, rule.Column, $"'{rule.Name}' is already recorded on line {firstRecordedOn} of this group.");
            if (!PromQLParser.TryParse(rule.Expression, out var expr, out var error))
            {
                var (line, column) = FilePosition(rule, error!.Position);
                Report(Syntax, LintSeverity.Error, line, column, error.Problem);
            }
            else
            {
                CheckExpression(rule, expr!, options, Report);
            }
            if (ruleFindings.Count == 0) return ruleFindings;
            var disabled = DisabledChecks(lines, rule.Line, nextLine);
            ruleFindings.RemoveAll(f => disabled.Contains(f.Check));
            return ruleFindings;
        }

        private static void CheckExpression(Rule rule, Expr expr, LintOptions options, Action<string, LintSeverity, int, int, string> report)
        {
            var minimumRange = TimeSpan.FromTicks(options.ScrapeInterval.Ticks * 4);
            var heartbeatMinimum = CanonicalRules.MinimumWindow(options.HeartbeatInterval, options.ScrapeInterval);
            foreach (var node in expr.DescendantsAndSelf())
            {
                switch (node)
                {
                    case VectorSelector selector when (selector.MetricName ?? string.Empty).StartsWith("duri_", StringComparison.Ordinal):
                        if (!selector.Matchers.Any(m => m.Name == "metric_realm" && m.Type == MatchType.Equal && m.Value == options.Realm))
                        {
                            var (line, column) = FilePosition(rule, selector.Position);
                            report(MissingRealm, LintSeverity.Error, line, column, $"{selector.MetricName} is selected without metric_realm=\"{options.Realm}\"; other realms' series (the seed's stray series) would mix in.");
                        }
                        break;
                    case MatrixSelector matrix:
                    {
                        var (line, column) = FilePosition(rule, matrix.Position);
                        if (matrix.Range < minimumRange)
                            report(RangeTooShort, LintSeverity.Warning, line, column, $"[{PrometheusDuration.Format(matrix.Range)}] spans fewer than 4 scrape intervals of {PrometheusDuration.Format(options.ScrapeInterval)}; use at least [{PrometheusDuration.Format(minimumRange)}].");
                        if (matrix.Selector.MetricName == CanonicalRules.TimestampMetric && matrix.Range < heartbeatMinimum)
                            report(HeartbeatWindow, LintSeverity.Error, line, column, $"[{PrometheusDuration.Format(matrix.Range)}] can miss a healthy heartbeat's change; it needs at least HB + 2*SI = {PrometheusDuration.Format(heartbeatMinimum)}.");
                        break;
                    }
                    case SubqueryExpr subquery when subquery.Range < minimumRange:
                    {
                        var (line, column) = FilePosition(rule, subquery.Position);
                        report(RangeTooShort, LintSeverity.Warning, line, column, $"The subquery range {PrometheusDuration.Format(subquery.Range)} spans fewer than 4 scrape intervals of {PrometheusDuration.Format(options.ScrapeInterval)}.");
                        break;
                    }
                    case Call call when call.Arguments.Count > 0 && call.Arguments[0] is MatrixSelector argument:
                    {
                        string metric = argument.Selector.MetricName ?? string.Empty;
                        bool counter = CounterSuffixes.Any(s => metric.EndsWith(s, StringComparison.Ordinal));
                        var (line, column) = FilePosition(rule, call.Position);
                        if (metric.Length > 0 && !counter && CounterFunctions.Contains(call.Function))
                            report(RateOnGauge, LintSeverity.Warning, line, column, $"{call.Function}() reads counters, but {metric} is not named like one (_total, _count, _sum, _bucket); for a gauge use deriv() or delta().");
                        if (counter && GaugeFunctions.Contains(call.Function))
                            report(ChangesOnCounter, LintSeverity.Warning, line, column, $"{call.Function}() on the counter {metric} sees every increment and counter reset; use rate() or increase().");
                        break;
                    }
                }
            }
            if (rule.IsRecording && (rule.Name.EndsWith("_ratio", StringComparison.Ordinal) || rule.Name.EndsWith(":ratio", StringComparison.Ordinal)) && !IsBoundedToUnitInterval(expr))
            {
                var (line, column) = FilePosition(rule, expr.Position);
                report(RatioUnbounded, LintSeverity.Error, line, column, $"{rule.Name} is a ratio but its value is not forced into [0, 1]; wrap it in clamp(..., 0, 1) (the seed saw ratios of 3).");
            }
        }

        /// <summary>clamp(x, lo, hi) with 0 ≤ lo and hi ≤ 1, or clamp_min / clamp_max nested to the same effect.</summary>
        private static bool IsBoundedToUnitInterval(Expr expr)
        {
            bool lower = false, upper = false;
            while (true)
            {
                while (expr is ParenExpr paren) expr = paren.Inner;
                if (!(expr is Call call)) return lower && upper;
                switch (call.Function)
                {
                    case "clamp" when call.Arguments.Count == 3:
                        lower |= Number(call.Arguments[1]) is double min && min >= 0;
                        upper |= Number(call.Arguments[2]) is double max && max <= 1;
                        return lower && upper;
                    case "clamp_min" when call.Arguments.Count == 2:
                        lower |= Number(call.Arguments[1]) is double min2 && min2 >= 0;
                        expr = call.Arguments[0];
                        break;
                    case "clamp_max" when call.Arguments.Count == 2:
                        upper |= Number(call.Arguments[1]) is double max2 && max2 <= 1;
                        expr = call.Arguments[0];
                        break;
                    default:
                        return lower && upper;
                }
            }
        }

        private static double? Number(Expr expr)
        {
            while (expr is ParenExpr paren) expr = paren.Inner;
            return expr is NumberLiteral number ? number.Value : (double?)null;
        }

        /// <summary>A position inside the expression, moved to where that text sits in the file.</summary>
        private static (int Line, int Column) FilePosition(Rule rule, SourcePosition position)
        {
            if (rule.ExpressionLine == 0) return (Math.Max(1, rule.Line), Math.Max(1, rule.Column));
            return position.Line <= 1
                ? (rule.ExpressionLine, rule.ExpressionColumn + position.Column - 1)
                : (rule.ExpressionLine + position.Line - 1, rule.ExpressionColumn + position.Column - 1);
        }

        private static bool IsCommentOrBlank(string line, bool blankCounts)
        {
            foreach (char c in line)
            {
                if (c == ' ' || c == '\t' || c == '\r') continue;
                return c == '#';
            }
            return blankCounts;
        }

        /// <summary>Check ids disabled by comments in the rule's lines or in the comment lines right above it.</summary>
        private static HashSet<string> DisabledChecks(string[] lines, int ruleLine, int nextRuleLine)
        {
            var disabled = new HashSet<string>(StringComparer.Ordinal);
            if (ruleLine <= 0) return disabled;
            int first = ruleLine;
            while (first - 1 >= 1 && IsCommentOrBlank(lines[first - 2], blankCounts: false)) first--;
            int last = Math.Min(lines.Length, nextRuleLine - 1);
            // Comment lines right above the next rule belong to that rule.
            if (nextRuleLine != int.MaxValue)
            {
                while (last > ruleLine && IsCommentOrBlank(lines[last - 1], blankCounts: true)) last--;
            }
            for (int line = first; line <= last; line++)
            {
                if (lines[line - 1].IndexOf("duri-lint", StringComparison.Ordinal) < 0) continue;
                var match = DisableComment.Match(lines[line - 1]);
                if (!match.Success) continue;
                foreach (var id in match.Groups["ids"].Value.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries)) disabled.Add(id.Trim());
            }
            return disabled;
        }
    }
}
