using System;
using System.IO;
using System.Linq;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Rules
{
    public class RuleLinterTests
    {
        private static LintFinding[] Lint(string yaml, LintOptions? options = null) =>
            RuleLinter.Lint(RuleFileReader.Read(yaml, "f.yml"), options ?? new LintOptions()).ToArray();

        private static string OneRule(string expr, string record = "x") =>
            $"groups:\n  - name: g\n    rules:\n      - record: {record}\n        expr: {expr}\n";

        [Fact]
        public void TheCanonicalRulesAreClean()
        {
            foreach (var file in Directory.GetFiles(RepositoryPaths.CanonicalRules, "*.rules.yml"))
            {
                Assert.Empty(RuleLinter.Lint(RuleFileReader.Load(file), new LintOptions()));
            }
        }

        [Theory]
        [InlineData("duri_green{metric_realm=\"prod\"}", null)]
        [InlineData("duri_green", RuleLinter.MissingRealm)]
        [InlineData("duri_green{metric_realm=\"staging\"}", RuleLinter.MissingRealm)]
        [InlineData("duri_green{metric_realm=~\"prod\"}", RuleLinter.MissingRealm)]
        [InlineData("up{job=\"x\"}", null)]
        [InlineData("rate(http_requests_total[5m])", null)]
        [InlineData("rate(http_requests_total[1m])", RuleLinter.RangeTooShort)]
        [InlineData("max_over_time(up[30s:10s])", RuleLinter.RangeTooShort)]
        [InlineData("rate(node_load1[5m])", RuleLinter.RateOnGauge)]
        [InlineData("increase(node_load1[5m])", RuleLinter.RateOnGauge)]
        [InlineData("rate(http_request_duration_seconds_bucket[5m])", null)]
        [InlineData("changes(http_requests_total[5m])", RuleLinter.ChangesOnCounter)]
        [InlineData("deriv(http_requests_total[5m])", RuleLinter.ChangesOnCounter)]
        [InlineData("deriv(node_load1[5m])", null)]
        [InlineData("changes(duri_heartbeat_timestamp_seconds{metric_realm=\"prod\"}[2m])", null)]
        [InlineData("changes(duri_heartbeat_timestamp_seconds{metric_realm=\"prod\"}[110s])", RuleLinter.HeartbeatWindow)]
        [InlineData("sum(rate(up[5m])", RuleLinter.Syntax)]
        public void EachCheckFiresOnlyWhereItShould(string expr, string? check)
        {
            var findings = Lint(OneRule("'" + expr.Replace("'", "''") + "'"));
            if (check == null) Assert.Empty(findings);
            else Assert.Contains(findings, f => f.Check == check);
            Assert.All(findings, f => Assert.True(f.Check == check || (check == RuleLinter.HeartbeatWindow && f.Check == RuleLinter.RangeTooShort), f.ToString()));
        }

        [Theory]
        [InlineData("clamp(avg_over_time(duri_green{metric_realm=\"prod\"}[1h]), 0, 1)", true)]
        [InlineData("clamp_max(clamp_min(sum(a) / sum(b), 0), 1)", true)]
        [InlineData("(clamp_min(clamp_max(sum(a) / sum(b), 1), 0))", true)]
        [InlineData("clamp_max(sum(a) / sum(b), 1)", false)]
        [InlineData("clamp(sum(a) / sum(b), 0, 2)", false)]
        [InlineData("sum(a) / sum(b)", false)]
        public void RatiosMustBeForcedIntoTheUnitInterval(string expr, bool bounded)
        {
            var findings = Lint(OneRule("'" + expr.Replace("'", "''") + "'", "job:success:ratio"));
            Assert.Equal(bounded, !findings.Any(f => f.Check == RuleLinter.RatioUnbounded));
        }

        [Fact]
        public void FindingsPointAtTheTextInTheFile()
        {
            const string yaml = "groups:\n  - name: g\n    rules:\n      - record: a\n        expr: |-\n          sum(\n            rate(http_requests_total[1m])\n          )\n      - record: b\n        expr: \"sum(rate(up[5m])\"\n";
            var findings = Lint(yaml);
            var range = Assert.Single(findings, f => f.Check == RuleLinter.RangeTooShort);
            Assert.Equal((7, 18), (range.Line, range.Column));
            Assert.Equal("g", range.Group);
            Assert.Equal("a", range.Rule);
            var syntax = Assert.Single(findings, f => f.Check == RuleLinter.Syntax);
            Assert.Equal(10, syntax.Line);
            Assert.Equal(LintSeverity.Error, syntax.Severity);
        }

        [Fact]
        public void ACommentSwitchesACheckOffForItsRuleOnly()
        {
            const string yaml = "groups:\n  - name: g\n    rules:\n      - record: a\n        expr: rate(http_requests_total[1m])\n      # duri-lint disable range/too-short, counter/rate-on-gauge\n      - record: b\n        expr: rate(node_load1[1m])\n      - record: c\n        expr: rate(http_requests_total[1m])\n";
            var findings = Lint(yaml);
            Assert.Equal(new[] { "a", "c" }, findings.Select(f => f.Rule));
        }

        [Fact]
        public void ExcludedChecksDoNotRun()
        {
            var options = new LintOptions();
            options.ExcludedChecks.Add(RuleLinter.RangeTooShort);
            Assert.Empty(Lint(OneRule("rate(http_requests_total[1m])"), options));
        }

        [Fact]
        public void DuplicateRecordsInAGroupAreFound()
        {
            var findings = Lint("groups:\n  - name: g\n    rules:\n      - record: a\n        expr: up\n      - record: a\n        expr: up\n  - name: h\n    rules:\n      - record: a\n        expr: up\n");
            var duplicate = Assert.Single(findings);
            Assert.Equal(RuleLinter.DuplicateRecord, duplicate.Check);
            Assert.Equal(6, duplicate.Line);
        }

        [Theory]
        [InlineData("")]
        [InlineData("groups: []\n")]
        [InlineData("not: a rule file\n")]
        [InlineData("\0\0\0")]
        [InlineData("groups:\n  - name: [unclosed\n")]
        public void BadInputIsAFindingOrNothingNeverACrash(string text)
        {
            var findings = Lint(text);
            Assert.All(findings, f => Assert.True(f.Line >= 1 && f.Column >= 1));
        }

        [Fact]
        public void EveryCheckIdIsDocumented()
        {
            foreach (var id in new[] { RuleLinter.Syntax, RuleLinter.DuplicateRecord, RuleLinter.MissingRealm, RuleLinter.RangeTooShort, RuleLinter.HeartbeatWindow, RuleLinter.RatioUnbounded, RuleLinter.RateOnGauge, RuleLinter.ChangesOnCounter })
            {
                Assert.True(RuleLinter.Checks.ContainsKey(id), id);
            }
        }
    }
}
