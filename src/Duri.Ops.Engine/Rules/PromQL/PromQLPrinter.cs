using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>
    /// Canonical PromQL text. Parsed trees print back to text that parses to an equal tree; for trees built in code,
    /// parentheses are added where the operator precedence would otherwise regroup the operands.
    /// </summary>
    internal static class PromQLPrinter
    {
        public static string Print(Expr expr)
        {
            var sb = new StringBuilder();
            Write(sb, expr);
            return sb.ToString();
        }

        public static string Print(LabelMatcher matcher) => matcher.Name + Operator(matcher.Type) + StringLiterals.Quote(matcher.Value);

        public static string Print(AtModifier at)
        {
            switch (at.Kind)
            {
                case AtModifierKind.Start: return "@ start()";
                case AtModifierKind.End: return "@ end()";
                default: return "@ " + Number(at.Timestamp ?? 0);
            }
        }

        public static string Number(double value)
        {
            if (double.IsNaN(value)) return "NaN";
            if (double.IsPositiveInfinity(value)) return "Inf";
            if (double.IsNegativeInfinity(value)) return "-Inf";
            return value.ToString("R", CultureInfo.InvariantCulture);
        }

        public static string Duration(TimeSpan duration) => PrometheusDuration.Format(duration);

        private static void Write(StringBuilder sb, Expr expr)
        {
            switch (expr)
            {
                case NumberLiteral number:
                    sb.Append(Number(number.Value));
                    break;
                case StringLiteral text:
                    sb.Append(StringLiterals.Quote(text.Value));
                    break;
                case VectorSelector selector:
                    WriteSelector(sb, selector);
                    WriteModifiers(sb, selector.At, selector.Offset);
                    break;
                case MatrixSelector matrix:
                    WriteSelector(sb, matrix.Selector);
                    sb.Append('[').Append(Duration(matrix.Range)).Append(']');
                    WriteModifiers(sb, matrix.Selector.At, matrix.Selector.Offset);
                    break;
                case SubqueryExpr subquery:
                    WriteOperand(sb, subquery.Inner, subquery.Inner is BinaryExpr || subquery.Inner is UnaryExpr || IsNegativeNumber(subquery.Inner));
                    sb.Append('[').Append(Duration(subquery.Range)).Append(':');
                    if (subquery.Step is TimeSpan step) sb.Append(Duration(step));
                    sb.Append(']');
                    WriteModifiers(sb, subquery.At, subquery.Offset);
                    break;
                case Call call:
                    sb.Append(call.Function).Append('(');
                    WriteList(sb, call.Arguments);
                    sb.Append(')');
                    break;
                case AggregateExpr aggregate:
                    sb.Append(aggregate.Operator);
                    if (aggregate.HasGrouping)
                    {
                        sb.Append(aggregate.Without ? " without " : " by ");
                        WriteLabels(sb, aggregate.Grouping);
                        sb.Append(' ');
                    }
                    sb.Append('(');
                    if (aggregate.Parameter != null)
                    {
                        Write(sb, aggregate.Parameter);
                        sb.Append(", ");
                    }
                    Write(sb, aggregate.Inner);
                    sb.Append(')');
                    break;
                case BinaryExpr binary:
                    WriteBinary(sb, binary);
                    break;
                case UnaryExpr unary:
                    sb.Append(unary.Operator);
                    WriteOperand(sb, unary.Inner, NeedsParensUnderSign(unary.Inner));
                    break;
                case ParenExpr paren:
                    sb.Append('(');
                    Write(sb, paren.Inner);
                    sb.Append(')');
                    break;
                default:
                    throw new ArgumentException("Unknown node " + expr.GetType().Name, nameof(expr));
            }
        }

        private static void WriteBinary(StringBuilder sb, BinaryExpr binary)
        {
            int precedence = Precedence(binary.Operator);
            bool rightAssociative = binary.Operator == "^";
            bool leftParens = binary.Left is BinaryExpr left
                ? Precedence(left.Operator) < precedence || (rightAssociative && Precedence(left.Operator) == precedence)
                : rightAssociative && (binary.Left is UnaryExpr || IsNegativeNumber(binary.Left));
            bool rightParens = binary.Right is BinaryExpr right
                && (Precedence(right.Operator) < precedence || (!rightAssociative && Precedence(right.Operator) == precedence));
            WriteOperand(sb, binary.Left, leftParens);
            sb.Append(' ').Append(binary.Operator);
            if (binary.ReturnBool) sb.Append(" bool");
            var matching = binary.Matching;
            if (matching != null)
            {
                bool grouped = matching.Cardinality == VectorMatching.ManyToOne || matching.Cardinality == VectorMatching.OneToMany;
                if (matching.On || matching.MatchingLabels.Count > 0 || grouped)
                {
                    sb.Append(matching.On ? " on " : " ignoring ");
                    WriteLabels(sb, matching.MatchingLabels);
                }
                if (grouped)
                {
                    sb.Append(matching.Cardinality == VectorMatching.ManyToOne ? " group_left " : " group_right ");
                    WriteLabels(sb, matching.Include);
                }
            }
            sb.Append(' ');
            WriteOperand(sb, binary.Right, rightParens);
        }

        /// <summary>A sign takes in only ^ and the suffixes, so anything looser needs parentheses after it.</summary>
        private static bool NeedsParensUnderSign(Expr operand) =>
            (operand is BinaryExpr binary && binary.Operator != "^") || IsNegativeNumber(operand);

        private static bool IsNegativeNumber(Expr expr) =>
            expr is NumberLiteral number && (number.Value < 0 || (number.Value == 0 && BitConverter.DoubleToInt64Bits(number.Value) < 0));

        private static void WriteOperand(StringBuilder sb, Expr operand, bool parens)
        {
            if (parens) sb.Append('(');
            Write(sb, operand);
            if (parens) sb.Append(')');
        }

        private static void WriteSelector(StringBuilder sb, VectorSelector selector)
        {
            sb.Append(selector.MetricName);
            if (selector.Matchers.Count == 0 && selector.MetricName != null) return;
            sb.Append('{');
            for (int i = 0; i < selector.Matchers.Count; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(Print(selector.Matchers[i]));
            }
            sb.Append('}');
        }

        private static void WriteModifiers(StringBuilder sb, AtModifier? at, TimeSpan? offset)
        {
            if (at != null) sb.Append(' ').Append(Print(at));
            if (offset is TimeSpan value)
            {
                sb.Append(" offset ");
                if (value < TimeSpan.Zero) sb.Append('-');
                sb.Append(Duration(value.Duration()));
            }
        }

        private static void WriteList(StringBuilder sb, IReadOnlyList<Expr> items)
        {
            for (int i = 0; i < items.Count; i++)
            {
                if (i > 0) sb.Append(", ");
                Write(sb, items[i]);
            }
        }

        private static void WriteLabels(StringBuilder sb, IReadOnlyList<string> labels) =>
            sb.Append('(').Append(string.Join(", ", labels)).Append(')');

        private static string Operator(MatchType type)
        {
            switch (type)
            {
                case MatchType.Equal: return "=";
                case MatchType.NotEqual: return "!=";
                case MatchType.Regex: return "=~";
                default: return "!~";
            }
        }

        private static int Precedence(string op)
        {
            switch (op)
            {
                case "or": return 1;
                case "and":
                case "unless": return 2;
                case "==":
                case "!=":
                case "<":
                case "<=":
                case ">":
                case ">=": return 3;
                case "+":
                case "-": return 4;
                case "^": return 6;
                default: return 5;
            }
        }
    }
}
