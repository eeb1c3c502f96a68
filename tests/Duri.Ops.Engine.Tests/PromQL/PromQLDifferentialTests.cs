using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using Duri.Ops.Engine.Rules.PromQL;
using Xunit;
using Xunit.Abstractions;

namespace Duri.Ops.Engine.Tests.PromQL
{
    [Trait("Category", "Integration")]
    public class PromQLDifferentialTests
    {
        private readonly ITestOutputHelper _output;

        public PromQLDifferentialTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void ParserAcceptsExactlyWhatPromtoolAccepts()
        {
            Promtool.RequireVersion242();
            var corpus = PromQLCorpus.All;
            var timer = Stopwatch.StartNew();
            var verdicts = Promtool.Check(corpus);
            var promtoolTime = timer.Elapsed;

            var disagreements = new List<string>();
            for (int i = 0; i < corpus.Count; i++)
            {
                bool ours = PromQLParser.TryParse(corpus[i], out _, out var error);
                if (ours == verdicts[i].Accepted) continue;
                disagreements.Add(
                    (verdicts[i].Accepted ? "promtool accepts, we reject (" + error!.Message + "): " : "promtool rejects (" + verdicts[i].Message + "), we accept: ")
                    + Escape(corpus[i]));
            }

            int accepted = verdicts.Count(v => v.Accepted);
            _output.WriteLine(
                $"{corpus.Count} expressions ({PromQLCorpus.Base.Count} written or generated, the rest mutated): {accepted} valid, {corpus.Count - accepted} invalid; "
                + $"promtool took {promtoolTime.TotalSeconds:F1} s; {disagreements.Count} disagreements.");
            Assert.True(disagreements.Count == 0, disagreements.Count + " disagreements with promtool:\n" + string.Join("\n", disagreements.Take(200)));
        }

        private static string Escape(string text)
        {
            var sb = new StringBuilder();
            foreach (char c in text)
            {
                if (c == '\n') sb.Append("\\n");
                else if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4"));
                else sb.Append(c);
            }
            return sb.ToString();
        }
    }
}
