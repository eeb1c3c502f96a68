using System;
using System.Collections.Generic;
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
            var run = new Run(read, options);
            foreach (var problem in read.Problems)
                run.Report(problem.Check, LintSeverity.Error, problem.Line, problem.Column, problem.Message, problem.Group, problem.Rule);
            foreach (var group in read.File.Groups)
            {
                run.RecordedOn.Clear();
                for (int index = 0; index < group.Rules.Count; index++) run.LintRule(group, index);
            }
            return run.SortedFindings();
        }

        /// <summary>One lint of one file: its findings so far and scratch space reused from rule to rule.</summary>
        private sealed class Run
        {
            private readonly RuleFileReadResult _read;
            private readonly LintOptions _options;
            private readonly TimeSpan _minimumRange;
            private readonly TimeSpan _heartbeatMinimum;
            private readonly List<LintFinding> _findings = new List<LintFinding>();
            private readonly List<Expr> _nodes = new List<Expr>();
            private readonly Stack<Expr> _pending = new Stack<Expr>();
            private readonly HashSet<string> _disabled = new HashSet<string>(StringComparer.Ordinal);
            private TextLines? _lines;

            public Run(RuleFileReadResult read, LintOptions options)
            {
                _read = read;
                _options = options;
                _minimumRange = TimeSpan.FromTicks(options.ScrapeInterval.Ticks * 4);
                _heartbeatMinimum = CanonicalRules.MinimumWindow(options.HeartbeatInterval, options.ScrapeInterval);
            }

            /// <summary>Where each record name of the current group was first recorded.</summary>
            public Dictionary<string, int> RecordedOn { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

            private string File => _read.File.Source;

            public void Report(string check, LintSeverity severity, int line, int column, string message, string? group, string? rule)
            {
                if (!_options.ExcludedChecks.Contains(check)) _findings.Add(new LintFinding(File, line, column, group, rule, check, severity, message));
            }

            public void LintRule(RuleGroup group, int index)
            {
                var rule = group.Rules[index];
                int first = _findings.Count;
                if (rule.IsRecording)
                {
                    if (RecordedOn.TryGetValue(rule.Name, out int recordedOn))
                        Report(DuplicateRecord, LintSeverity.Warning, rule.Line, rule.Column, $"'{rule.Name}' is already recorded on line {recordedOn} of this group.", group.Name, rule.Name);
                    else
                        RecordedOn[rule.Name] = rule.Line;
                }
                if (!PromQLParser.TryParse(rule.Expression, out var expr, out var error))
                {
                    var (line, column) = FilePosition(rule, error!.Position);
                    Report(Syntax, LintSeverity.Error, line, column, error.Problem, group.Name, rule.Name);
                }
                else
                {
                    CheckExpression(group, rule, expr!);
                }
                if (_findings.Count == first) return;
                int nextLine = index + 1 < group.Rules.Count ? group.Rules[index + 1].Line : int.MaxValue;
                CollectDisabledChecks(rule.Line, nextLine);
                if (_disabled.Count == 0) return;
                for (int i = _findings.Count - 1; i >= first; i--)
                {
                    if (_disabled.Contains(_findings[i].Check)) _findings.RemoveAt(i);
                }
            }

            private void CheckExpression(RuleGroup group, Rule rule, Expr expr)
            {
                _nodes.Clear();
                expr.AddDescendantsAndSelf(_nodes, _pending);
                foreach (var node in _nodes)
                {
                    switch (node)
                    {
                        case VectorSelector selector when selector.MetricName != null && selector.MetricName.StartsWith("duri_", StringComparison.Ordinal):
                            if (!HasRealmMatcher(selector))
                            {
                                var (line, column) = FilePosition(rule, selector.Position);
                                Report(MissingRealm, LintSeverity.Error, line, column, $"{selector.MetricName} is selected without metric_realm=\"{_options.Realm}\"; other realms' series (the seed's stray series) would mix in.", group.Name, rule.Name);
                            }
                            break;
                        case MatrixSelector matrix:
                        {
                            if (matrix.Range < _minimumRange)
                            {
                                var (line, column) = FilePosition(rule, matrix.Position);
                                Report(RangeTooShort, LintSeverity.Warning, line, column, $"[{PrometheusDuration.Format(matrix.Range)}] spans fewer than 4 scrape intervals of {PrometheusDuration.Format(_options.ScrapeInterval)}; use at least [{PrometheusDuration.Format(_minimumRange)}].", group.Name, rule.Name);
                            }
                            if (matrix.Selector.MetricName == CanonicalRules.TimestampMetric && matrix.Range < _heartbeatMinimum)
                            {
                                var (line, column) = FilePosition(rule, matrix.Position);
                                Report(HeartbeatWindow, LintSeverity.Error, line, column, $"[{PrometheusDuration.Format(matrix.Range)}] can miss a healthy heartbeat's change; it needs at least HB + 2*SI = {PrometheusDuration.Format(_heartbeatMinimum)}.", group.Name, rule.Name);
                            }
                            break;
                        }
                        case SubqueryExpr subquery when subquery.Range < _minimumRange:
                        {
                            var (line, column) = FilePosition(rule, subquery.Position);
                            Report(RangeTooShort, LintSeverity.Warning, line, column, $"The subquery range {PrometheusDuration.Format(subquery.Range)} spans fewer than 4 scrape intervals of {PrometheusDuration.Format(_options.ScrapeInterval)}.", group.Name, rule.Name);
                            break;
                        }
                        case Call call when call.Arguments.Count > 0 && call.Arguments[0] is MatrixSelector argument:
                        {
                            string metric = argument.Selector.MetricName ?? string.Empty;
                            bool counter = IsCounterName(metric);
                            if (metric.Length > 0 && !counter && Array.IndexOf(CounterFunctions, call.Function) >= 0)
                            {
                                var (line, column) = FilePosition(rule, call.Position);
                                Report(RateOnGauge, LintSeverity.Warning, line, column, $"{call.Function}() reads counters, but {metric} is not named like one (_total, _count, _sum, _bucket); for a gauge use deriv() or delta().", group.Name, rule.Name);
                            }
                            if (counter && Array.IndexOf(GaugeFunctions, call.Function) >= 0)
                            {
                                var (line, column) = FilePosition(rule, call.Position);
                                Report(ChangesOnCounter, LintSeverity.Warning, line, column, $"{call.Function}() on the counter {metric} sees every increment and counter reset; use rate() or increase().", group.Name, rule.Name);
                            }
                            break;
                        }
                    }
                }
                if (rule.IsRecording && (rule.Name.EndsWith("_ratio", StringComparison.Ordinal) || rule.Name.EndsWith(":ratio", StringComparison.Ordinal)) && !IsBoundedToUnitInterval(expr))
                {
                    var (line, column) = FilePosition(rule, expr.Position);
                    Report(RatioUnbounded, LintSeverity.Error, line, column, $"{rule.Name} is a ratio but its value is not forced into [0, 1]; wrap it in clamp(..., 0, 1) (the seed saw ratios of 3).", group.Name, rule.Name);
                }
            }

            private bool HasRealmMatcher(VectorSelector selector)
            {
                foreach (var matcher in selector.Matchers)
                {
                    if (matcher.Name == "metric_realm" && matcher.Type == MatchType.Equal && matcher.Value == _options.Realm) return true;
                }
                return false;
            }

            /// <summary>Check ids disabled by comments in the rule's lines or in the comment lines right above it, into <see cref="_disabled"/>.</summary>
            private void CollectDisabledChecks(int ruleLine, int nextRuleLine)
            {
                _disabled.Clear();
                if (ruleLine <= 0) return;
                var lines = _lines ??= new TextLines(_read.Text);
                int first = ruleLine;
                while (first - 1 >= 1 && IsCommentOrBlank(lines, first - 1, blankCounts: false)) first--;
                int last = Math.Min(lines.Count, nextRuleLine - 1);
                // Comment lines right above the next rule belong to that rule.
                if (nextRuleLine != int.MaxValue)
                {
                    while (last > ruleLine && IsCommentOrBlank(lines, last, blankCounts: true)) last--;
                }
                string text = _read.Text;
                for (int line = first; line <= last; line++)
                {
                    var (start, length) = lines.Line(line);
                    if (text.IndexOf("duri-lint", start, length, StringComparison.Ordinal) < 0) continue;
                    var match = DisableComment.Match(text, start, length);
                    if (!match.Success) continue;
                    foreach (var id in match.Groups["ids"].Value.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries)) _disabled.Add(id.Trim());
                }
            }

            private bool IsCommentOrBlank(TextLines lines, int line, bool blankCounts)
            {
                var (start, length) = lines.Line(line);
                string text = _read.Text;
                for (int i = start; i < start + length; i++)
                {
                    char c = text[i];
                    if (c == ' ' || c == '\t' || c == '\r') continue;
                    return c == '#';
                }
                return blankCounts;
            }

            /// <summary>The findings in file order: by line, column and check, and otherwise in the order they were found.</summary>
            public List<LintFinding> SortedFindings()
            {
                var keyed = new KeyValuePair<LintFinding, int>[_findings.Count];
                for (int i = 0; i < keyed.Length; i++) keyed[i] = new KeyValuePair<LintFinding, int>(_findings[i], i);
                Array.Sort(keyed, (a, b) =>
                {
                    int order = a.Key.Line.CompareTo(b.Key.Line);
                    if (order == 0) order = a.Key.Column.CompareTo(b.Key.Column);
                    if (order == 0) order = string.CompareOrdinal(a.Key.Check, b.Key.Check);
                    return order != 0 ? order : a.Value.CompareTo(b.Value);
                });
                var sorted = new List<LintFinding>(keyed.Length);
                foreach (var entry in keyed) sorted.Add(entry.Key);
                return sorted;
            }
        }

        private static bool IsCounterName(string metric)
        {
            foreach (var suffix in CounterSuffixes)
            {
                if (metric.EndsWith(suffix, StringComparison.Ordinal)) return true;
            }
            return false;
        }

        /// <summary>clamp(x, lo, hi) with 0 ≤ lo and hi ≤ 1, or clamp_min / clamp_max nested to the same effect.</summary>
        private static bool IsBoundedToUnitInterval(Expr expr)
        {
            bool lower = false, upper = false;
            while (true)
            {
                expr = ParenExpr.Unwrap(expr);
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
            expr = ParenExpr.Unwrap(expr);
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

        /// <summary>The lines of a text by number, found by moving from the last line asked for, so that asking in file order reads the text once.</summary>
        private sealed class TextLines
        {
            private readonly string _text;
            private int _line = 1;
            private int _start;

            public TextLines(string text)
            {
                _text = text;
                Count = 1;
                for (int i = text.IndexOf('\n'); i >= 0; i = text.IndexOf('\n', i + 1)) Count++;
            }

            /// <summary>How many lines there are; the text after the last line break is a line, even when empty.</summary>
            public int Count { get; }

            /// <summary>Where line <paramref name="line"/> (1 to <see cref="Count"/>) starts and how long it is, without its line break.</summary>
            public (int Start, int Length) Line(int line)
            {
                for (; _line < line; _line++) _start = _text.IndexOf('\n', _start) + 1;
                for (; _line > line; _line--) _start = _start >= 2 ? _text.LastIndexOf('\n', _start - 2) + 1 : 0;
                int end = _text.IndexOf('\n', _start);
                return (_start, (end < 0 ? _text.Length : end) - _start);
            }
        }
    }
}
