using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;

namespace Duri.Ops.Completers
{
    /// <summary>
    /// Completes the metric name being typed at the end of a PromQL expression, keeping the expression before
    /// it, because metric names are long and a typo in one gives an empty answer rather than an error.
    /// Where the end of the expression cannot be a metric name (inside a label matcher, a string, a range or a
    /// by/without list) it completes nothing rather than something wrong.
    /// </summary>
    public sealed class MetricNameCompleter : LabelValueCompleter
    {
        private static readonly Regex TrailingName = new Regex(@"[a-zA-Z_:][a-zA-Z0-9_:]*$", RegexOptions.CultureInvariant);

        private static readonly HashSet<string> LabelListKeywords = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "by", "without", "on", "ignoring", "group_left", "group_right",
        };

        public MetricNameCompleter()
            : base("__name__")
        {
        }

        protected override bool TryPrepare(string parameterName, string wordToComplete, CommandAst commandAst, out string prefix, out Func<string, string> completionText) =>
            TrySplitQuery(wordToComplete, EndsInOpenString(commandAst, wordToComplete), out prefix, out completionText);

        /// <summary>
        /// Splits the word typed for a query into the start of the metric name at its end and the text that
        /// replaces the word once that name is chosen: the expression before it kept, in the user's quotes (left
        /// open when <paramref name="leaveOpen"/>), or in single quotes when it would not pass as a bare word.
        /// False when the end of the expression is no place for a metric name.
        /// </summary>
        internal static bool TrySplitQuery(string wordToComplete, bool leaveOpen, out string partialName, out Func<string, string> completionText)
        {
            var query = PowerShellQuoting.Unquote(wordToComplete, out var quote);
            partialName = string.Empty;
            completionText = metric => metric;
            if (!EndsWhereAMetricNameCanStand(query)) return false;
            var name = TrailingName.Match(query);
            int start = name.Success ? name.Index : query.Length;
            // Right after a digit comes the rest of a number or a duration (1e3, 5m), not a name.
            if (start > 0 && (char.IsDigit(query[start - 1]) || query[start - 1] == '.')) return false;
            var head = query.Substring(0, start);
            partialName = query.Substring(start);
            completionText = metric => PowerShellQuoting.Quote(head + metric, quote, leaveOpen && quote != QuoteKind.None);
            return true;
        }

        /// <summary>Follows strings, label matchers, ranges and parentheses up to the end of the expression.</summary>
        private static bool EndsWhereAMetricNameCanStand(string query)
        {
            var labelLists = new Stack<bool>();
            int braces = 0, brackets = 0;
            char inString = '\0';
            for (int i = 0; i < query.Length; i++)
            {
                char c = query[i];
                if (inString != '\0')
                {
                    if (c == '\\' && inString != '`') i++;
                    else if (c == inString) inString = '\0';
                    continue;
                }
                switch (c)
                {
                    case '"':
                    case '\'':
                    case '`':
                        inString = c;
                        break;
                    case '{':
                        braces++;
                        break;
                    case '}':
                        braces = Math.Max(0, braces - 1);
                        break;
                    case '[':
                        brackets++;
                        break;
                    case ']':
                        brackets = Math.Max(0, brackets - 1);
                        break;
                    case '(':
                        labelLists.Push(LabelListKeywords.Contains(WordBefore(query, i)));
                        break;
                    case ')':
                        if (labelLists.Count > 0) labelLists.Pop();
                        break;
                    case '#':
                        while (i + 1 < query.Length && query[i + 1] != '\n') i++;
                        break;
                }
            }
            return inString == '\0' && braces == 0 && brackets == 0 && !(labelLists.Count > 0 && labelLists.Peek());
        }

        private static string WordBefore(string query, int index)
        {
            int end = index;
            while (end > 0 && char.IsWhiteSpace(query[end - 1])) end--;
            int start = end;
            while (start > 0 && (char.IsLetterOrDigit(query[start - 1]) || query[start - 1] == '_')) start--;
            return query.Substring(start, end - start);
        }

        /// <summary>
        /// Whether the word is a string, at the end of the line, that the user has not closed yet. Only the parser
        /// knows: PowerShell passes a quoted word with its closing quote added.
        /// </summary>
        private static bool EndsInOpenString(CommandAst commandAst, string wordToComplete)
        {
            var last = commandAst?.CommandElements.LastOrDefault();
            bool quoted = last is ExpandableStringExpressionAst
                || (last is StringConstantExpressionAst constant && constant.StringConstantType != StringConstantType.BareWord
                    && constant.Value == PowerShellQuoting.Unquote(wordToComplete, out _));
            if (!quoted) return false;
            Parser.ParseInput(last!.Extent.Text, out _, out var errors);
            return errors.Any(e => e.ErrorId == "TerminatorExpectedAtEndOfString");
        }
    }
}
