using System;
using System.Collections.Generic;

namespace Duri.Ops.Engine.Rules
{
    /// <summary>A Prometheus rule file: groups of recording and alerting rules, with where each came from.</summary>
    public sealed class RuleFile
    {
        public RuleFile(IReadOnlyList<RuleGroup> groups, string source = "")
        {
            Groups = groups;
            Source = source;
        }

        /// <summary>The file path, or a name for text that did not come from a file.</summary>
        public string Source { get; }

        public IReadOnlyList<RuleGroup> Groups { get; }
    }

    public sealed class RuleGroup
    {
        public RuleGroup(string name, IReadOnlyList<Rule> rules, TimeSpan? interval = null, int? limit = null, int line = 0, int column = 0)
        {
            Name = name;
            Rules = rules;
            Interval = interval;
            Limit = limit;
            Line = line;
            Column = column;
        }

        public string Name { get; }

        public TimeSpan? Interval { get; }

        public int? Limit { get; }

        public IReadOnlyList<Rule> Rules { get; }

        /// <summary>1-based position of the group in its file; 0 for groups built in code.</summary>
        public int Line { get; }

        public int Column { get; }

        public override string ToString() => Name;
    }

    public sealed class Rule
    {
        private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

        public Rule(string? record, string? alert, string expression, TimeSpan? @for = null,
            IReadOnlyDictionary<string, string>? labels = null, IReadOnlyDictionary<string, string>? annotations = null,
            int line = 0, int column = 0, int expressionLine = 0, int expressionColumn = 0)
        {
            Record = record;
            Alert = alert;
            Expression = expression;
            For = @for;
            Labels = labels ?? NoLabels;
            Annotations = annotations ?? NoLabels;
            Line = line;
            Column = column;
            ExpressionLine = expressionLine;
            ExpressionColumn = expressionColumn;
        }

        public static Rule Recording(string record, string expression, IReadOnlyDictionary<string, string>? labels = null) =>
            new Rule(record, null, expression, labels: labels);

        public static Rule Alerting(string alert, string expression, TimeSpan? @for = null, IReadOnlyDictionary<string, string>? labels = null, IReadOnlyDictionary<string, string>? annotations = null) =>
            new Rule(null, alert, expression, @for, labels, annotations);

        public string? Record { get; }

        public string? Alert { get; }

        /// <summary>The record or alert name.</summary>
        public string Name => Record ?? Alert ?? string.Empty;

        public bool IsRecording => Record != null;

        public string Expression { get; }

        public TimeSpan? For { get; }

        public IReadOnlyDictionary<string, string> Labels { get; }

        public IReadOnlyDictionary<string, string> Annotations { get; }

        /// <summary>1-based position of the rule's first key.</summary>
        public int Line { get; }

        public int Column { get; }

        /// <summary>1-based position where the expression text starts in the file (the first content line of a block scalar).</summary>
        public int ExpressionLine { get; }

        public int ExpressionColumn { get; }

        public override string ToString() => (IsRecording ? "record " : "alert ") + Name;
    }
}
