using System.Collections.Generic;
using System.Linq;
using Duri.Ops.Engine.Rules.PromQL;
using Xunit;

namespace Duri.Ops.Engine.Tests.PromQL
{
    public class PromQLRoundTripTests
    {
        [Fact]
        public void EveryAcceptedCorpusExpressionPrintsToTextThatParsesToAnEqualTree()
        {
            var failures = new List<string>();
            int accepted = 0;
            foreach (var expression in PromQLCorpus.All)
            {
                if (!PromQLParser.TryParse(expression, out var tree, out _)) continue;
                accepted++;
                string printed = tree!.ToString();
                if (!PromQLParser.TryParse(printed, out var reparsed, out var error))
                {
                    failures.Add(expression + "  ->  " + printed + "  ->  " + error!.Message);
                    continue;
                }
                if (!tree.Equals(reparsed) || tree.GetHashCode() != reparsed!.GetHashCode())
                {
                    failures.Add(expression + "  ->  " + printed + "  ->  a different tree: " + reparsed);
                    continue;
                }
                if (reparsed.ToString() != printed) failures.Add(expression + "  ->  " + printed + "  ->  " + reparsed);
            }
            Assert.True(accepted > 5000, "only " + accepted + " corpus expressions parsed");
            Assert.True(failures.Count == 0, failures.Count + " expressions do not round-trip:\n" + string.Join("\n", failures.Take(100)));
        }

        [Theory]
        [InlineData("a + b * c", "a + b * c")]
        [InlineData("(a + b) * c", "(a + b) * c")]
        [InlineData("sum(rate(x[5m])) by (job)", "sum by (job) (rate(x[5m]))")]
        [InlineData("x offset 90m", "x offset 1h30m")]
        [InlineData("x offset -5m @ 100", "x @ 100 offset -5m")]
        [InlineData("x[5m] @ start()", "x[5m] @ start()")]
        [InlineData("x @ end() [5m]", "x[5m] @ end()")]
        [InlineData("rate(x[1h:]) ", "rate(x[1h:])")]
        [InlineData("0x1f + .5", "31 + 0.5")]
        [InlineData("-Inf < bool NaN", "-Inf < bool NaN")]
        [InlineData("{a='it\\'s', b=`C:\\dir`}", "{a=\"it's\", b=\"C:\\\\dir\"}")]
        [InlineData("x AND ON (A) y", "x and on (A) y")]
        [InlineData("a * on(b) group_left y", "a * on (b) group_left () y")]
        [InlineData("SUM BY (a) (x)", "sum by (a) (x)")]
        [InlineData("count_values without () (\"v\", x)", "count_values without () (\"v\", x)")]
        [InlineData("1e21 * 1e-7", "1E+21 * 1E-07")]
        public void PrintsCanonicalText(string expression, string expected)
        {
            Assert.Equal(expected, PromQLParser.Parse(expression).ToString());
        }

        [Fact]
        public void PrintsParenthesesThatTreesBuiltInCodeNeed()
        {
            var a = new VectorSelector("a", new LabelMatcher[0]);
            var b = new VectorSelector("b", new LabelMatcher[0]);
            var c = new VectorSelector("c", new LabelMatcher[0]);
            Assert.Equal("(a + b) * c", new BinaryExpr("*", new BinaryExpr("+", a, b), c).ToString());
            Assert.Equal("a - (b - c)", new BinaryExpr("-", a, new BinaryExpr("-", b, c)).ToString());
            Assert.Equal("(a ^ b) ^ c", new BinaryExpr("^", new BinaryExpr("^", a, b), c).ToString());
            Assert.Equal("-(a + b)", new UnaryExpr("-", new BinaryExpr("+", a, b)).ToString());
            Assert.Equal("(-a) ^ b", new BinaryExpr("^", new UnaryExpr("-", a), b).ToString());
            Assert.Equal("(a + b)[5m:]", new SubqueryExpr(new BinaryExpr("+", a, b), System.TimeSpan.FromMinutes(5)).ToString());
        }
    }
}
