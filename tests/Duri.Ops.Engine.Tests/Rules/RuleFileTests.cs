using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Rules
{
    public class RuleFileReaderTests
    {
        [Fact]
        public void ReadsGroupsRulesAndWhereEachStarts()
        {
            const string yaml = "groups:\n  - name: g\n    interval: 30s\n    rules:\n      - record: a:b\n        expr: sum(x)\n      - alert: Down\n        expr: |\n          up\n            == 0\n        for: 5m\n        labels:\n          severity: page\n        annotations:\n          summary: \"it is down\"\n";
            var result = RuleFileReader.Read(yaml, "f.yml");
            Assert.Empty(result.Problems);
            var group = Assert.Single(result.File.Groups);
            Assert.Equal("g", group.Name);
            Assert.Equal(TimeSpan.FromSeconds(30), group.Interval);
            Assert.Equal(2, group.Line);
            var record = group.Rules[0];
            Assert.True(record.IsRecording);
            Assert.Equal("a:b", record.Name);
            Assert.Equal((5, 9), (record.Line, record.Column));
            Assert.Equal((6, 15), (record.ExpressionLine, record.ExpressionColumn));
            var alert = group.Rules[1];
            Assert.Equal("up\n  == 0\n", alert.Expression);
            Assert.Equal(9, alert.ExpressionLine);
            Assert.Equal(11, alert.ExpressionColumn);
            Assert.Equal(TimeSpan.FromMinutes(5), alert.For);
            Assert.Equal("page", alert.Labels["severity"]);
            Assert.Equal("it is down", alert.Annotations["summary"]);
        }

        [Theory]
        [InlineData("groups:\n  - name: g\n    rules:\n      - record: x\n        expr: up\n        colour: red\n", "yaml/unknown-key", 6, 9)]
        [InlineData("groups:\n  - name: g\n    rules:\n      - record: x\n        alert: y\n        expr: up\n", "yaml/structure", 4, 9)]
        [InlineData("groups:\n  - name: g\n    rules:\n      - record: x\n", "yaml/structure", 4, 9)]
        [InlineData("groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n", "yaml/structure", 4, 11)]
        [InlineData("groups:\n  - rules: []\n", "yaml/structure", 2, 5)]
        [InlineData("groups:\n  - name: g\n    interval: soon\n    rules: []\n", "yaml/structure", 3, 15)]
        [InlineData("groups:\n  - name: g\n    rules:\n      - record: 'bad name'\n        expr: up\n", "yaml/structure", 4, 17)]
        [InlineData("groups:\n  - name: g\n    rules:\n      - record: x\n        expr: up\n        for: 1m\n", "yaml/structure", 6, 14)]
        [InlineData("groups:\n  - name: g\n    rules:\n      - alert: x\n        expr: up\n        labels:\n          1bad: x\n", "yaml/structure", 7, 11)]
        [InlineData("groups: {a: 1}\n", "yaml/structure", 1, 9)]
        [InlineData("groups:\n  - name: [\n", "yaml/syntax", 3, 1)]
        [InlineData("just text\n", "yaml/structure", 1, 1)]
        [InlineData("global:\n  scrape_interval: 1m\n", "yaml/unknown-key", 1, 1)]
        public void ReportsProblemsWithTheirPlace(string yaml, string check, int line, int column)
        {
            var result = RuleFileReader.Read(yaml, "f.yml");
            var problem = Assert.Single(result.Problems);
            Assert.Equal(check, problem.Check);
            Assert.Equal((line, column), (problem.Line, problem.Column));
        }

        [Fact]
        public void AnEmptyFileHasNoGroupsAndNoProblems()
        {
            var result = RuleFileReader.Read("", "empty.yml");
            Assert.Empty(result.File.Groups);
            Assert.Empty(result.Problems);
        }

        [Fact]
        public void ABinaryFileIsAProblemNotACrash()
        {
            var result = RuleFileReader.Read("groups:\n\0\u0001\u0002", "binary.yml");
            Assert.Equal("yaml/not-text", Assert.Single(result.Problems).Check);
        }

        [Fact]
        public void AnAliasBombIsReadWithoutExpandingIt()
        {
            var sb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
            for (int i = 1; i <= 30; i++) sb.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
            sb.Append("groups:\n  - name: g\n    rules:\n      - record: x\n        expr: up\n        labels: *a30\n");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var result = RuleFileReader.Read(sb.ToString(), "bomb.yml");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
            Assert.Contains(result.Problems, p => p.Check == "yaml/structure" && p.Message.Contains("labels"));
        }

        [Fact]
        public void AHugeFileIsRefusedBeforeParsing()
        {
            var path = Path.GetTempFileName();
            try
            {
                using (var stream = new FileStream(path, FileMode.Create)) stream.SetLength(RuleFileReader.MaxBytes + 1);
                var result = RuleFileReader.Load(path);
                Assert.Equal("yaml/not-text", Assert.Single(result.Problems).Check);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    public class RuleFileWriterTests
    {
        [Fact]
        public void WritesWhatItReadsBackUnchanged()
        {
            var file = new RuleFile(new[]
            {
                new RuleGroup("group: with \"quotes\"", new[]
                {
                    Rule.Recording("job:up:sum", "sum by (job) (up)", new Dictionary<string, string> { ["team"] = "yes", ["note"] = "a: b # c" }),
                    Rule.Alerting("Down", "  up == 0\nand on() vector(1)", TimeSpan.FromMinutes(5), new Dictionary<string, string> { ["severity"] = "page" }, new Dictionary<string, string> { ["summary"] = "line1\nline2 \\ \"q\"" }),
                }, TimeSpan.FromSeconds(30), limit: 10),
            });
            var text = RuleFileWriter.Write(file, new[] { "header" });
            var back = RuleFileReader.Read(text, "w.yml");
            Assert.Empty(back.Problems);
            var group = Assert.Single(back.File.Groups);
            Assert.Equal("group: with \"quotes\"", group.Name);
            Assert.Equal(10, group.Limit);
            Assert.Equal("sum by (job) (up)", group.Rules[0].Expression);
            Assert.Equal("a: b # c", group.Rules[0].Labels["note"]);
            Assert.Equal("yes", group.Rules[0].Labels["team"]);
            Assert.Equal("  up == 0\nand on() vector(1)", group.Rules[1].Expression);
            Assert.Equal("line1\nline2 \\ \"q\"", group.Rules[1].Annotations["summary"]);
            Assert.StartsWith("# header\n", text);
        }

        [Fact]
        [Trait("Category", "Integration")]
        public async Task PromtoolAcceptsWhatItWrites()
        {
            var directory = Directory.CreateTempSubdirectory("duri-writer-").FullName;
            try
            {
                var file = new RuleFile(new[] { new RuleGroup("g", new[] { Rule.Recording("x", "sum(rate(http_requests_total{code=~\"5..\"}[5m]))"), Rule.Alerting("A", "x > 1", TimeSpan.FromMinutes(1)) }) });
                File.WriteAllText(Path.Combine(directory, "w.yml"), RuleFileWriter.Write(file));
                var run = await Promtool.RunAsync(new[] { "check", "rules", "w.yml" }, directory, CancellationToken.None);
                Assert.True(run.ExitCode == 0, run.Output + run.Error);
                Assert.Contains("2 rules found", run.Output);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
