using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Duri.Ops.Engine.Rules.PromQL;
using Xunit;

namespace Duri.Ops.Engine.Tests.PromQL
{
    public class PromQLFuzzTests
    {
        [Fact]
        public void MutatedExpressionsParseOrFailWithAPositionInTheInput()
        {
            var random = new Random(8675309);
            var seeds = PromQLCorpus.Base;
            var failures = new List<string>();
            for (int i = 0; i < 60_000; i++)
            {
                string input = seeds[random.Next(seeds.Count)];
                int rounds = 1 + random.Next(4);
                for (int r = 0; r < rounds; r++) input = random.Next(4) == 0 ? MutateAnyChar(input, random) : PromQLCorpus.Mutate(input, random);
                Check(input, failures);
            }
            Assert.True(failures.Count == 0, failures.Count + " failures:\n" + string.Join("\n", failures.Take(50)));
        }

        [Theory]
        [InlineData("(", "", ")")]
        [InlineData("-", "", "")]
        [InlineData("+-", "", "")]
        [InlineData("sum(", "", ")")]
        [InlineData("rate(", "", "[5m])")]
        [InlineData("x^", "", "")]
        [InlineData("x+", "", "")]
        [InlineData("x and on(a) ", "", "")]
        [InlineData("{a=\"", "", "\"}")]
        [InlineData("[", "", "]")]
        [InlineData("x offset 5m ", "", "")]
        [InlineData("(x)[5m:]", "", "")]
        [InlineData("{a=~\"(", "", ")\"}")]
        [InlineData("\"\\", "", "")]
        public void DeepAndLongInputsFailCleanlyOrParse(string prefix, string middle, string suffix)
        {
            var failures = new List<string>();
            foreach (int count in new[] { 10, 999, 1000, 1001, 5000, 20_000 })
            {
                var sb = new StringBuilder();
                for (int i = 0; i < count; i++) sb.Append(prefix);
                sb.Append('x').Append(middle);
                for (int i = 0; i < count; i++) sb.Append(suffix);
                Check(sb.ToString(), failures);
                Check(string.Concat(Enumerable.Repeat(prefix, count)), failures);
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        }

        [Fact]
        public void NestingBeyondTheLimitIsAParseError()
        {
            string deep = new string('(', 5000) + "1" + new string(')', 5000);
            var error = Assert.Throws<PromQLParseException>(() => PromQLParser.Parse(deep));
            Assert.Contains("nests too deeply", error.Problem);
            Assert.Equal(1, error.Position.Line);

            string shallow = new string('(', 900) + "1" + new string(')', 900);
            Assert.IsType<ParenExpr>(PromQLParser.Parse(shallow));

            string chain = string.Join(" + ", Enumerable.Repeat("x", 5000));
            Assert.Contains("nests too deeply", Assert.Throws<PromQLParseException>(() => PromQLParser.Parse(chain)).Problem);
        }

        private static string MutateAnyChar(string input, Random random)
        {
            var sb = new StringBuilder(input);
            int at = random.Next(sb.Length + 1);
            char c = (char)random.Next(0, 0x10000);
            if (random.Next(2) == 0 || sb.Length == 0) sb.Insert(at, c);
            else sb[Math.Min(at, sb.Length - 1)] = c;
            return sb.ToString();
        }

        private static void Check(string input, List<string> failures)
        {
            try
            {
                var tree = PromQLParser.Parse(input);
                string printed = tree.ToString();
                if (!tree.Equals(PromQLParser.Parse(printed))) failures.Add("does not round-trip: " + input + "  ->  " + printed);
            }
            catch (PromQLParseException e)
            {
                var position = e.Position;
                if (position.Offset < 0 || position.Offset > input.Length || position != SourcePosition.FromOffset(input, position.Offset))
                    failures.Add("bad position " + position.Offset + " (" + position + ") for: " + Shorten(input));
                if (!e.Message.StartsWith(position + ": ", StringComparison.Ordinal)) failures.Add("message without position: " + e.Message);
            }
            catch (Exception e)
            {
                failures.Add(e.GetType().Name + ": " + e.Message + " for: " + Shorten(input));
            }
        }

        private static string Shorten(string text) => text.Length <= 200 ? text : text.Substring(0, 200) + "... (" + text.Length + " chars)";
    }
}
