using System;
using System.Linq;
using Duri.Ops.Engine.Gates;
using Xunit;

namespace Duri.Ops.Engine.Tests.Gates
{
    public sealed class GatePolicyTests
    {
        [Fact]
        public void TheShippedPolicyHoldsTheRunbooksFourGatesAndRules()
        {
            var policy = GatePolicyReader.Load(GateTextfile.DefaultPolicyPath);
            Assert.Equal("prod", policy.Realm);
            Assert.Equal(TimeSpan.FromSeconds(15), policy.Step);
            Assert.Equal(new[] { "heartbeat", "lyapunov", "canary", "green_uptime" }, policy.Gates.Select(g => g.Name));
            Assert.Equal("duri_heartbeat_ok{metric_realm=\"prod\"} == 1", Describe(policy.Gate("heartbeat")!, "prod"));
            Assert.Equal("duri_lyapunov_v{metric_realm=\"prod\"} <= 0.1", Describe(policy.Gate("lyapunov")!, "prod"));
            Assert.Equal("duri_canary_unique_ratio{metric_realm=\"prod\"} >= 0.92", Describe(policy.Gate("canary")!, "prod"));
            Assert.Equal("duri_green_uptime_ratio{metric_realm=\"prod\"} >= 0.999", Describe(policy.Gate("green_uptime")!, "prod"));
            Assert.All(policy.Gates, g => Assert.True(g.ExactlyOneSeries));
            Assert.Equal(TimeSpan.FromMinutes(15), policy.Sustained);
            Assert.Equal(2, policy.RollbackMinViolatedGates);
            Assert.Equal(TimeSpan.FromMinutes(3), policy.RollbackConsecutive);
            Assert.Equal("lyapunov", policy.TrendGate);
            Assert.Equal("duri_canary_unique_ratio{metric_realm=\"staging\"}", policy.WithRealm("staging").Gate("canary")!.QueryFor("staging"));
        }

        private static string Describe(GateDefinition gate, string realm) => $"{gate.QueryFor(realm)} {gate.OperatorSymbol} {Duri.Ops.Engine.Prometheus.PrometheusValue.Format(gate.Threshold)}";

        [Fact]
        public void EveryProblemOfABadPolicyIsReportedWithFileLineAndColumn()
        {
            const string text =
                "realm: prod\n" +
                "step: 15s\n" +
                "colour: blue\n" +
                "gates:\n" +
                "  - name: heartbeat\n" +
                "    query: duri_heartbeat_ok{metric_realm=\"$realm\"\n" +
                "    operator: \"==\"\n" +
                "    threshold: 1\n" +
                "    max_age: 75s\n" +
                "  - name: canary\n" +
                "    query: duri_canary_unique_ratio\n" +
                "    operator: \"=>\"\n" +
                "    threshold: high\n" +
                "    max_age: 75s\n" +
                "promotion:\n" +
                "  sustained: 10s\n" +
                "rollback:\n" +
                "  trend_gate: lyapunov\n";
            var e = Assert.Throws<GatePolicyException>(() => GatePolicyReader.Read(text, "bad.yml"));
            var found = e.Problems.Select(p => (p.Line, p.Column, p.Path)).ToList();
            Assert.Contains((3, 1, "bad.yml"), found);
            Assert.Contains(e.Problems, p => p.Line == 6 && p.Column == 12 && p.Message.StartsWith("The query is not valid PromQL", StringComparison.Ordinal));
            Assert.Contains(e.Problems, p => p.Line == 11 && p.Message.Contains("metric_realm"));
            Assert.Contains(e.Problems, p => p.Line == 12 && p.Column == 15 && p.Message.Contains("'=>' is not an operator"));
            Assert.Contains(e.Problems, p => p.Line == 13 && p.Message.Contains("'high' is not a finite number"));
            Assert.Contains(e.Problems, p => p.Line == 16 && p.Message.Contains("whole number of steps"));
            Assert.Contains("bad.yml:3:1: Unknown key 'colour'", e.Message);
        }

        [Theory]
        [InlineData("max(duri_lyapunov_v{metric_realm=\"$realm\"})", "must be a plain selector")]
        [InlineData("duri_lyapunov_v{metric_realm=\"$realm\"} * 1", "must be a plain selector")]
        [InlineData("duri_lyapunov_v{metric_realm=\"$realm\"} offset 5m", "must be a plain selector")]
        [InlineData("duri_lyapunov_v{metric_realm=\"review\"}", "must select metric_realm=\"$realm\"")]
        [InlineData("duri_lyapunov_v{metric_realm=~\".+\"}", "must select metric_realm=\"$realm\"")]
        [InlineData("duri_lyapunov_v{instance=\"$realm\"} # metric_realm", "must select metric_realm=\"$realm\"")]
        public void AGateWhoseSampleTimeOrRealmCannotBeTrustedIsRefused(string query, string problem)
        {
            string text = "realm: review\ngates:\n  - { name: lyapunov, query: '" + query + "', operator: '<=', threshold: 0.1, max_age: 75s }\n";
            var e = Assert.Throws<GatePolicyException>(() => GatePolicyReader.Read(text, "gates.yml"));
            var only = Assert.Single(e.Problems);
            Assert.Equal(3, only.Line);
            Assert.Contains(problem, only.Message);
        }

        [Theory]
        [InlineData("duri_lyapunov_v{metric_realm=\"$realm\"}")]
        [InlineData("(duri_lyapunov_v{metric_realm=\"$realm\", instance!=\"old\"})")]
        [InlineData("{__name__=\"duri_lyapunov_v\", metric_realm=\"$realm\"}")]
        public void APlainSelectorOfThePolicysRealmIsAccepted(string query)
        {
            string text = "realm: review\ngates:\n  - { name: lyapunov, query: '" + query + "', operator: '<=', threshold: 0.1, max_age: 75s }\n";
            var policy = GatePolicyReader.Read(text, "gates.yml").WithRealm("staging");
            Assert.Contains("metric_realm=\"staging\"", policy.Gates[0].QueryFor(policy.Realm));
        }

        [Fact]
        public void YamlThatDoesNotParseIsOneProblemAtItsPosition()
        {
            var e = Assert.Throws<GatePolicyException>(() => GatePolicyReader.Read("gates:\n  - name: a\n   query: [x\n", "broken.yml"));
            var problem = Assert.Single(e.Problems);
            Assert.StartsWith("Not valid YAML", problem.Message);
            Assert.Equal(3, problem.Line);
        }

        [Theory]
        [InlineData("min_violated_gates: 5", "min_violated_gates '5'")]
        [InlineData("trend_gate: entropy", "trend_gate 'entropy' names no gate")]
        [InlineData("consecutive: 20s", "whole number of steps")]
        [InlineData("count_missing_data: maybe", "true or false")]
        public void ABadRollbackRuleIsNamed(string line, string expected)
        {
            string text = "step: 15s\ngates:\n  - name: lyapunov\n    query: duri_lyapunov_v{metric_realm=\"$realm\"}\n    operator: \"<=\"\n    threshold: 0.1\n    max_age: 75s\nrollback:\n  " + line + "\n";
            var e = Assert.Throws<GatePolicyException>(() => GatePolicyReader.Read(text, "p.yml"));
            var problem = Assert.Single(e.Problems);
            Assert.Contains(expected, problem.Message);
            Assert.Equal(9, problem.Line);
        }
    }
}
