using System;
using System.Linq;
using Duri.Ops.Engine.Rules.PromQL;
using Xunit;
using PromQLValueType = Duri.Ops.Engine.Rules.PromQL.ValueType;

namespace Duri.Ops.Engine.Tests.PromQL
{
    public class PromQLParserTests
    {
        private static readonly LabelMatcher[] NoMatchers = new LabelMatcher[0];

        private static VectorSelector V(string name) => new VectorSelector(name, NoMatchers);

        private static NumberLiteral N(double value) => new NumberLiteral(value);

        private static BinaryExpr B(string op, Expr left, Expr right) => new BinaryExpr(op, left, right, false, VectorMatchingFor(op, left, right));

        private static VectorMatching? VectorMatchingFor(string op, Expr left, Expr right) =>
            left.Type != PromQLValueType.InstantVector || right.Type != PromQLValueType.InstantVector
                ? null
                : new VectorMatching(op == "and" || op == "or" || op == "unless" ? VectorMatching.ManyToMany : VectorMatching.OneToOne, new string[0], false, new string[0]);

        [Fact]
        public void MultiplicationBindsTighterThanAddition()
        {
            Assert.Equal(B("+", V("a"), B("*", V("b"), V("c"))), PromQLParser.Parse("a + b * c"));
            Assert.Equal(B("-", B("*", V("a"), V("b")), V("c")), PromQLParser.Parse("a * b - c"));
        }

        [Fact]
        public void OperatorsOfOneLevelAssociateToTheLeftExceptPower()
        {
            Assert.Equal(B("-", B("-", V("a"), V("b")), V("c")), PromQLParser.Parse("a - b - c"));
            Assert.Equal(B("/", B("%", V("a"), V("b")), V("c")), PromQLParser.Parse("a % b / c"));
            Assert.Equal(B("^", V("a"), B("^", V("b"), V("c"))), PromQLParser.Parse("a ^ b ^ c"));
            Assert.Equal(B("atan2", B("*", V("a"), V("b")), V("c")), PromQLParser.Parse("a * b atan2 c"));
        }

        [Fact]
        public void SignBindsLooserThanPowerAndFoldsIntoNumbers()
        {
            Assert.Equal(new UnaryExpr("-", B("^", V("a"), V("b"))), PromQLParser.Parse("-a ^ b"));
            Assert.Equal(new UnaryExpr("-", B("^", N(2), N(2))), PromQLParser.Parse("-2^2"));
            Assert.Equal(B("*", new UnaryExpr("-", V("a")), V("b")), PromQLParser.Parse("-a * b"));
            Assert.Equal(B("^", N(2), N(-1)), PromQLParser.Parse("2 ^ -1"));
            Assert.Equal(N(-1), PromQLParser.Parse("-1"));
            Assert.Equal(N(1), PromQLParser.Parse("- -1"));
            Assert.Equal(new UnaryExpr("-", new ParenExpr(N(1))), PromQLParser.Parse("-(1)"));
        }

        [Fact]
        public void SetOperatorsAndComparisonsHaveTheirOwnLevels()
        {
            Assert.Equal(B("or", V("a"), B("and", V("b"), V("c"))), PromQLParser.Parse("a or b and c"));
            Assert.Equal(B("or", B("unless", V("a"), V("b")), V("c")), PromQLParser.Parse("a unless b or c"));
            Assert.Equal(B("and", B(">", V("a"), V("b")), B("<", V("c"), V("d"))), PromQLParser.Parse("a > b and c < d"));
            Assert.Equal(B("==", B(">", V("a"), V("b")), V("c")), PromQLParser.Parse("a > b == c"));
            Assert.Equal(B(">", B("+", V("a"), V("b")), V("c")), PromQLParser.Parse("a + b > c"));
        }

        [Fact]
        public void ComparisonsBetweenScalarsNeedBool()
        {
            var tree = (BinaryExpr)PromQLParser.Parse("1 < bool 2");
            Assert.True(tree.ReturnBool);
            Assert.Equal(PromQLValueType.Scalar, tree.Type);
            Assert.Null(tree.Matching);
            Assert.Equal("comparisons between scalars must use BOOL modifier", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("1 < 2")).Problem);
            Assert.Equal("bool modifier can only be used on comparison operators", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("a + bool b")).Problem);
        }

        [Fact]
        public void ReadsVectorMatching()
        {
            var tree = (BinaryExpr)PromQLParser.Parse("a * on(x, y) group_left(z) b");
            Assert.Equal(new VectorMatching(VectorMatching.ManyToOne, new[] { "x", "y" }, true, new[] { "z" }), tree.Matching);
            tree = (BinaryExpr)PromQLParser.Parse("a / ignoring(x) group_right b");
            Assert.Equal(new VectorMatching(VectorMatching.OneToMany, new[] { "x" }, false, new string[0]), tree.Matching);
            tree = (BinaryExpr)PromQLParser.Parse("a and on(x) b");
            Assert.Equal(VectorMatching.ManyToMany, tree.Matching!.Cardinality);
            tree = (BinaryExpr)PromQLParser.Parse("a == bool on() b");
            Assert.True(tree.ReturnBool);
            Assert.True(tree.Matching!.On);
            Assert.Empty(tree.Matching.MatchingLabels);
            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("a and on(x) group_left b"));
            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("a * on(x) group_left(x) b"));
            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("1 + on(x) b"));
            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("a or 1"));
        }

        [Theory]
        [InlineData("x{a=\"b\"}", MatchType.Equal, "b")]
        [InlineData("x{a!=\"b\"}", MatchType.NotEqual, "b")]
        [InlineData("x{a=~\"b.*\"}", MatchType.Regex, "b.*")]
        [InlineData("x{a!~'b|c'}", MatchType.NotRegex, "b|c")]
        [InlineData("x{a=`\\d+`}", MatchType.Equal, "\\d+")]
        [InlineData("x{a=\"\\u00e9\\x41\\101\\n\"}", MatchType.Equal, "éAA\n")]
        public void ReadsEveryMatcherType(string expression, MatchType type, string value)
        {
            var selector = (VectorSelector)PromQLParser.Parse(expression);
            Assert.Equal("x", selector.MetricName);
            var matcher = Assert.Single(selector.Matchers);
            Assert.Equal(new LabelMatcher("a", type, value), matcher);
            Assert.Equal(new SourcePosition(2, 1, 3), matcher.Position);
        }

        [Fact]
        public void SelectorsNeedANameOrAMatcherThatRejectsTheEmptyString()
        {
            var selector = (VectorSelector)PromQLParser.Parse("{__name__=~\"job:.*\", env=\"\"}");
            Assert.Null(selector.MetricName);
            Assert.Equal(2, selector.Matchers.Count);
            Assert.NotNull(PromQLParser.Parse("{a=~\".+\"}"));
            Assert.NotNull(PromQLParser.Parse("{a!~\".*\"}"));
            foreach (var bad in new[] { "{}", "{a=\"\"}", "{a=~\".*\"}", "{a!=\"x\"}", "{a=~\"x|\"}" })
            {
                Assert.Equal("vector selector must contain at least one non-empty matcher", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse(bad)).Problem);
            }
            Assert.StartsWith("metric name must not be set twice", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("x{__name__=\"y\"}")).Problem);
            Assert.StartsWith("error parsing regexp: missing closing )", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("x{a=~\"(\"}")).Problem);
        }

        [Fact]
        public void ReadsOffsetAndAtInEitherOrder()
        {
            var expected = new VectorSelector("x", NoMatchers, TimeSpan.FromMinutes(-5), AtModifier.At(1700000000.5));
            Assert.Equal(expected, PromQLParser.Parse("x offset -5m @ 1700000000.5"));
            Assert.Equal(expected, PromQLParser.Parse("x @ 1700000000.5 offset -5m"));

            var matrix = (MatrixSelector)PromQLParser.Parse("x[5m] @ end() offset 1h");
            Assert.Equal(TimeSpan.FromMinutes(5), matrix.Range);
            Assert.Equal(AtModifier.End, matrix.Selector.At);
            Assert.Equal(TimeSpan.FromHours(1), matrix.Selector.Offset);

            Assert.Equal(AtModifier.Start, ((MatrixSelector)PromQLParser.Parse("x @ start() [5m]")).Selector.At);
            Assert.Equal("no offset modifiers allowed before range", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("x offset 1m [5m]")).Problem);
            Assert.Equal("no @ modifiers allowed before range", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("x @ 1 [5m]")).Problem);
            Assert.Equal("offset may not be set multiple times", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("x offset 1m offset 2m")).Problem);
            Assert.StartsWith("offset modifier must be preceded", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("sum(x) offset 1m")).Problem);
            Assert.StartsWith("timestamp out of bounds", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("x @ Inf")).Problem);
        }

        [Fact]
        public void ReadsSubqueries()
        {
            var tree = (SubqueryExpr)PromQLParser.Parse("max_over_time(rate(x[1m])[1h:5m] offset 1d)[2h:] @ 100");
            Assert.Equal(TimeSpan.FromHours(2), tree.Range);
            Assert.Null(tree.Step);
            Assert.Equal(AtModifier.At(100), tree.At);
            var inner = (SubqueryExpr)((Call)tree.Inner).Arguments[0];
            Assert.Equal(TimeSpan.FromMinutes(5), inner.Step);
            Assert.Equal(TimeSpan.FromDays(1), inner.Offset);
            Assert.Equal(PromQLValueType.RangeVector, inner.Type);

            // Prometheus 2.42 reads any letter inside brackets as the colon.
            Assert.Equal(PromQLParser.Parse("x[5m:1m]"), PromQLParser.Parse("x[5m y1m]"));
            Assert.StartsWith("subquery is only allowed on instant vector", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("x[5m][5m:]")).Problem);
        }

        [Fact]
        public void ReadsAggregationsWithTheGroupingOnEitherSide()
        {
            var before = PromQLParser.Parse("sum by (job, instance) (rate(x[5m]))");
            var after = PromQLParser.Parse("sum(rate(x[5m])) by (job, instance)");
            Assert.Equal(before, after);
            var aggregate = (AggregateExpr)before;
            Assert.Equal("sum", aggregate.Operator);
            Assert.Equal(new[] { "job", "instance" }, aggregate.Grouping);
            Assert.False(aggregate.Without);
            Assert.True(aggregate.HasGrouping);

            var topk = (AggregateExpr)PromQLParser.Parse("TOPK without (le) (5, x)");
            Assert.Equal("topk", topk.Operator);
            Assert.Equal(N(5), topk.Parameter);
            Assert.True(topk.Without);
            Assert.NotEqual(PromQLParser.Parse("sum(x)"), PromQLParser.Parse("sum by () (x)"));
            Assert.Equal(new[] { "bool", "on", "sum" }, ((AggregateExpr)PromQLParser.Parse("sum by (bool, on, sum) (x)")).Grouping);

            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("topk(x)"));
            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("count_values(1, x)"));
            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("quantile(\"a\", x)"));
            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("sum by (without) (x)"));
        }

        [Fact]
        public void ChecksFunctionArguments()
        {
            var call = (Call)PromQLParser.Parse("label_join(x, \"dst\", \",\", \"a\", \"b\", \"c\")");
            Assert.Equal("label_join", call.Function);
            Assert.Equal(6, call.Arguments.Count);
            Assert.Equal(PromQLValueType.Scalar, PromQLParser.Parse("time()").Type);
            Assert.Equal(PromQLValueType.Scalar, PromQLParser.Parse("scalar(x)").Type);
            Assert.NotNull(PromQLParser.Parse("round(x)"));
            Assert.NotNull(PromQLParser.Parse("year()"));
            Assert.NotNull(PromQLParser.Parse("holt_winters(x[1h], 0.5, 0.5)"));
            Assert.StartsWith("expected at most 2 argument(s)", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("round(x, 1, 2)")).Problem);
            Assert.StartsWith("expected type range vector", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("rate(x)")).Problem);
            Assert.Equal("unknown function with name \"sort_by_label\"", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("sort_by_label(x, \"a\")")).Problem);
            Assert.Equal("trailing commas not allowed in function call args", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("rate(x[5m],)")).Problem);
        }

        [Theory]
        [InlineData("0x1f", 31)]
        [InlineData("010", 8)]
        [InlineData("09", 9)]
        [InlineData("1e3", 1000)]
        [InlineData(".5", 0.5)]
        [InlineData("5.", 5)]
        [InlineData("+Inf", double.PositiveInfinity)]
        [InlineData("-inf", double.NegativeInfinity)]
        [InlineData("NaN", double.NaN)]
        [InlineData("9223372036854775808", 9223372036854775808d)]
        public void ReadsNumbers(string text, double value)
        {
            Assert.Equal(N(value), PromQLParser.Parse(text));
        }

        [Theory]
        [InlineData("1e400")]
        [InlineData("1e")]
        [InlineData("0x")]
        [InlineData("0x8000000000000000")]
        [InlineData("1_000")]
        [InlineData("5m")]
        public void RejectsNumbersPrometheusRejects(string text)
        {
            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse(text));
        }

        [Theory]
        [InlineData("1y2w3d4h5m6s7ms", 365 + 14 + 3, 4, 5, 6, 7)]
        [InlineData("90m", 0, 0, 90, 0, 0)]
        [InlineData("1d25h", 1, 25, 0, 0, 0)]
        public void ReadsDurations(string text, int days, int hours, int minutes, int seconds, int milliseconds)
        {
            var matrix = (MatrixSelector)PromQLParser.Parse("x[" + text + "]");
            Assert.Equal(new TimeSpan(days, hours, minutes, seconds, milliseconds), matrix.Range);
        }

        [Theory]
        [InlineData("x[0s]", "duration must be greater than 0")]
        [InlineData("x[1s1m]", "not a valid duration string: \"1s1m\"")]
        [InlineData("x[293y]", "duration out of range")]
        [InlineData("x[5]", "missing unit character in duration")]
        [InlineData("x[5M]", "bad duration syntax: \"5\"")]
        public void RejectsDurationsPrometheusRejects(string expression, string problem)
        {
            Assert.Equal(problem, Assert.Throws<PromQLParseException>(() => PromQLParser.Parse(expression)).Problem);
        }

        [Fact]
        public void ReadsStringsAndComments()
        {
            Assert.Equal(new StringLiteral("a\"b"), PromQLParser.Parse("\"a\\\"b\""));
            Assert.Equal(new StringLiteral("it's"), PromQLParser.Parse("'it\\'s'"));
            Assert.Equal(new StringLiteral("a\\nb\nc"), PromQLParser.Parse("`a\\nb\nc`"));
            Assert.Equal(new StringLiteral("\U0001F600"), PromQLParser.Parse("\"\\U0001F600\""));
            Assert.Equal(PromQLParser.Parse("a + b"), PromQLParser.Parse("a # first\n+ # second\nb"));
            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("\"\\q\""));
            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("\"a\nb\""));
        }

        [Fact]
        public void KeywordsServeAsMetricNamesWherePrometheusAllows()
        {
            Assert.Equal(B("and", V("x"), V("and")), PromQLParser.Parse("x and and"));
            Assert.Equal(V("sum"), PromQLParser.Parse("sum"));
            Assert.Equal("offset", ((MatrixSelector)PromQLParser.Parse("offset[5m] offset 1m")).Selector.MetricName);
            Assert.Equal(V("a:b:c"), PromQLParser.Parse("a:b:c"));
            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("on"));
            Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("bool{a=\"b\"}"));
        }

        [Fact]
        public void ErrorsCarryLineAndColumn()
        {
            var error = Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("sum by (job) (\n  rate(x[5m])\n  +\n)"));
            Assert.Equal(new SourcePosition(33, 4, 1), error.Position);
            Assert.Equal("4:1: unexpected \")\"", error.Message);

            error = Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("x{a=\"b\"}\n  offset 5q"));
            Assert.Equal(2, error.Position.Line);
            Assert.Equal(10, error.Position.Column);

            error = Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("rate(\n  x{job=\"a\"}\n)"));
            Assert.Equal(new SourcePosition(8, 2, 3), error.Position);
            Assert.StartsWith("expected type range vector", error.Problem);

            error = Assert.Throws<PromQLParseException>(() => PromQLParser.Parse("   "));
            Assert.Equal("no expression found in input", error.Problem);
            Assert.False(PromQLParser.TryParse("x +", out var tree, out var failure));
            Assert.Null(tree);
            Assert.Equal(new SourcePosition(3, 1, 4), failure!.Position);
        }

        [Fact]
        public void NodesKnowTheirPositionsTypesAndChildren()
        {
            var tree = (BinaryExpr)PromQLParser.Parse("sum(rate(x[5m]))\n  / on() 2");
            Assert.Equal(new SourcePosition(0, 1, 1), tree.Position);
            Assert.Equal(27, tree.EndOffset);
            Assert.Equal(new SourcePosition(26, 2, 10), tree.Right.Position);
            Assert.Null(tree.Matching);
            Assert.Equal(PromQLValueType.InstantVector, tree.Type);
            var kinds = tree.DescendantsAndSelf().Select(e => e.GetType().Name).ToArray();
            Assert.Equal(new[] { "BinaryExpr", "AggregateExpr", "Call", "MatrixSelector", "VectorSelector", "NumberLiteral" }, kinds);
            var matrix = tree.DescendantsAndSelf().OfType<MatrixSelector>().Single();
            Assert.Equal(new SourcePosition(9, 1, 10), matrix.Position);
            Assert.Equal(14, matrix.EndOffset);
            Assert.Equal(PromQLValueType.RangeVector, matrix.Type);
        }

        [Fact]
        public void EqualityIgnoresPositions()
        {
            var spaced = PromQLParser.Parse("  rate( x [5m] )");
            var tight = PromQLParser.Parse("rate(x[5m])");
            Assert.Equal(tight, spaced);
            Assert.Equal(tight.GetHashCode(), spaced.GetHashCode());
            Assert.NotEqual(tight.Position, spaced.Position);
            Assert.NotEqual(PromQLParser.Parse("-0"), PromQLParser.Parse("0"));
            Assert.Equal(PromQLParser.Parse("NaN"), PromQLParser.Parse("-NaN"));
        }
    }
}
