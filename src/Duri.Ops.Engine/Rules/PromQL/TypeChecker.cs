using System;
using System.Globalization;
using System.Linq;

namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>
    /// The checks Prometheus makes on a parsed tree before it accepts it. Each looks at one node and the types of its
    /// children, so the parser runs them as it builds each node.
    /// </summary>
    internal static class TypeChecker
    {
        public static void CheckNode(Expr node)
        {
            switch (node)
            {
                case AggregateExpr aggregate:
                    Expect(aggregate.Inner, ValueType.InstantVector, "aggregation expression");
                    if (aggregate.Parameter != null)
                        Expect(aggregate.Parameter, aggregate.Operator == "count_values" ? ValueType.String : ValueType.Scalar, "aggregation parameter");
                    break;
                case Call call:
                    CheckCall(call);
                    break;
                case UnaryExpr unary:
                    if (unary.Inner.Type != ValueType.Scalar && unary.Inner.Type != ValueType.InstantVector)
                        throw Fail(unary, "unary expression only allowed on expressions of type scalar or instant vector, got \"" + Describe(unary.Inner.Type) + "\"");
                    break;
                case SubqueryExpr subquery:
                    if (subquery.Inner.Type != ValueType.InstantVector)
                        throw Fail(subquery, "subquery is only allowed on instant vector, got " + Describe(subquery.Inner.Type) + " instead");
                    break;
                case VectorSelector selector:
                    CheckSelector(selector);
                    break;
            }
        }

        /// <summary>Checks an operation before it is built and returns its matching as Prometheus keeps it.</summary>
        public static VectorMatching? CheckBinary(string op, Expr left, Expr right, bool returnBool, VectorMatching matching, SourcePosition position)
        {
            bool comparison = op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=";
            bool set = op == "and" || op == "or" || op == "unless";
            if (returnBool && !comparison) throw new PromQLParseException(position, "bool modifier can only be used on comparison operators");
            if (comparison && !returnBool && left.Type == ValueType.Scalar && right.Type == ValueType.Scalar)
                throw new PromQLParseException(position, "comparisons between scalars must use BOOL modifier");
            if (matching.On)
            {
                var both = matching.MatchingLabels.FirstOrDefault(matching.Include.Contains);
                if (both != null) throw new PromQLParseException(position, "label \"" + both + "\" must not occur in ON and GROUP clause at once");
            }
            if (left.Type != ValueType.Scalar && left.Type != ValueType.InstantVector)
                throw Fail(left, "binary expression must contain only scalar and instant vector types");
            if (right.Type != ValueType.Scalar && right.Type != ValueType.InstantVector)
                throw Fail(right, "binary expression must contain only scalar and instant vector types");
            if (left.Type == ValueType.Scalar || right.Type == ValueType.Scalar)
            {
                if (matching.MatchingLabels.Count > 0) throw new PromQLParseException(position, "vector matching only allowed between instant vectors");
                if (set) throw new PromQLParseException(position, "set operator \"" + op + "\" not allowed in binary scalar expression");
                return null;
            }
            if (!set) return matching;
            if (matching.Cardinality != VectorMatching.OneToOne)
                throw new PromQLParseException(position, "no grouping allowed for \"" + op + "\" operation");
            return matching.WithCardinality(VectorMatching.ManyToMany);
        }

        internal static string Describe(ValueType type)
        {
            switch (type)
            {
                case ValueType.Scalar: return "scalar";
                case ValueType.String: return "string";
                case ValueType.InstantVector: return "instant vector";
                default: return "range vector";
            }
        }

        private static void CheckCall(Call call)
        {
            var function = call.Declared ?? throw Fail(call, "unknown function with name \"" + call.Function + "\"");
            int declared = function.ArgumentTypes.Count;
            int given = call.Arguments.Count;
            if (function.Variadic == 0)
            {
                if (declared != given) throw Fail(call, CountProblem("expected", declared, call.Function, given));
            }
            else
            {
                int required = declared - 1;
                if (required > given) throw Fail(call, CountProblem("expected at least", required, call.Function, given));
                if (function.Variadic > 0 && required + function.Variadic < given)
                    throw Fail(call, CountProblem("expected at most", required + function.Variadic, call.Function, given));
            }
            for (int i = 0; i < given; i++)
            {
                var want = function.ArgumentTypes[Math.Min(i, declared - 1)];
                if (call.Arguments[i].Type != want) Expect(call.Arguments[i], want, "call to function \"" + call.Function + "\"");
            }
        }

        private static string CountProblem(string expected, int count, string function, int given) =>
            expected + " " + count.ToString(CultureInfo.InvariantCulture) + " argument(s) in call to \"" + function + "\", got "
            + given.ToString(CultureInfo.InvariantCulture);

        private static void CheckSelector(VectorSelector selector)
        {
            var matchers = selector.Matchers;
            if (selector.MetricName != null)
            {
                for (int i = 0; i < matchers.Count; i++)
                {
                    if (matchers[i].Name == "__name__")
                        throw Fail(selector, "metric name must not be set twice: \"" + selector.MetricName + "\" or \"" + matchers[i].Value + "\"");
                }
                return;
            }
            for (int i = 0; i < matchers.Count; i++)
            {
                if (!MatchesEmpty(matchers[i])) return;
            }
            throw Fail(selector, "vector selector must contain at least one non-empty matcher");
        }

        private static bool MatchesEmpty(LabelMatcher matcher)
        {
            switch (matcher.Type)
            {
                case MatchType.Equal:
                    return matcher.Value.Length == 0;
                case MatchType.NotEqual:
                    return matcher.Value.Length != 0;
                default:
                    GoRegexp.Check(matcher.Value, out bool matches);
                    return matcher.Type == MatchType.Regex ? matches : !matches;
            }
        }

        private static void Expect(Expr expr, ValueType want, string context)
        {
            if (expr.Type != want) throw Fail(expr, "expected type " + Describe(want) + " in " + context + ", got " + Describe(expr.Type));
        }

        private static PromQLParseException Fail(Expr expr, string problem) => new PromQLParseException(expr.Position, problem);
    }
}
