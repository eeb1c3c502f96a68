using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Rules
{
    public class CanonicalRulesTests
    {
        [Fact]
        public void DerivesTheRunbooksWindowAndFreshness()
        {
            var options = new CanonicalRuleOptions();
            Assert.Equal(TimeSpan.FromMinutes(6), options.EffectiveWindow);
            Assert.Equal(TimeSpan.FromSeconds(75), options.EffectiveFreshness);
            Assert.Equal("duri_heartbeat_changes_6m", CanonicalRules.ChangesMetric(options.EffectiveWindow));
            Assert.Equal(TimeSpan.FromSeconds(45), CanonicalRules.DeriveWindow(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), 2));
            Assert.Equal(TimeSpan.FromSeconds(3), CanonicalRules.DeriveFreshness(TimeSpan.FromSeconds(1), 2));
        }

        [Fact]
        public void TheCheckedInRulesAreWhatTheGeneratorWritesByteForByte()
        {
            foreach (var file in CanonicalRules.Generate(new CanonicalRuleOptions()))
            {
                var path = Path.Combine(RepositoryPaths.CanonicalRules, file.RelativePath);
                Assert.True(File.Exists(path), $"{path} is missing; run Export-DuriRuleFile -Path module/rules");
                Assert.True(File.ReadAllText(path) == file.Content, $"{file.RelativePath} differs from what Export-DuriRuleFile generates; regenerate it.");
            }
        }

        [Fact]
        public void EverySelectorCarriesTheRealm()
        {
            var options = new CanonicalRuleOptions { Realm = "stag\"ing" };
            var rules = CanonicalRules.HeartbeatRules(options).Groups.Concat(CanonicalRules.ContractRules(options).Groups).SelectMany(g => g.Rules);
            foreach (var rule in rules)
            {
                Assert.Contains("metric_realm=\"stag\\\"ing\"", rule.Expression);
            }
        }

        [Theory]
        [InlineData(nameof(CanonicalRuleOptions.Window), 60, "at least HB + 2·SI = 2m")]
        [InlineData(nameof(CanonicalRuleOptions.Freshness), 30, "must exceed the scrape interval")]
        [InlineData(nameof(CanonicalRuleOptions.HeartbeatInterval), 0, "positive whole number of seconds")]
        public void RefusesParametersThatCannotWork(string parameter, int seconds, string message)
        {
            var options = new CanonicalRuleOptions();
            typeof(CanonicalRuleOptions).GetProperty(parameter)!.SetValue(options, TimeSpan.FromSeconds(seconds));
            var e = Assert.Throws<ArgumentException>(() => CanonicalRules.Generate(options));
            Assert.Contains(message, e.Message);
        }

        [Fact]
        [Trait("Category", "Integration")]
        public async Task TheGeneratedTestsPassForOtherIntervalsToo()
        {
            var directory = Directory.CreateTempSubdirectory("duri-rules-").FullName;
            try
            {
                var options = new CanonicalRuleOptions { HeartbeatInterval = TimeSpan.FromSeconds(15), ScrapeInterval = TimeSpan.FromSeconds(10), EvaluationInterval = TimeSpan.FromSeconds(20), Realm = "edge", ToleratedMisses = 1 };
                foreach (var file in CanonicalRules.Generate(options))
                {
                    var path = Path.Combine(directory, file.RelativePath);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllText(path, file.Content);
                }
                var results = (await RuleTestRunner.RunAsync(Path.Combine(directory, CanonicalRules.HeartbeatTestFile), CancellationToken.None))
                    .Concat(await RuleTestRunner.RunAsync(Path.Combine(directory, CanonicalRules.ContractTestFile), CancellationToken.None)).ToList();
                Assert.True(results.Count > 10);
                Assert.All(results, r => Assert.True(r.Passed, r.Group + ": " + string.Join("; ", r.Failures)));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    public class RuleTestRunnerTests
    {
        [Fact]
        public void ParsesPromtoolFailures()
        {
            const string output = "Unit Testing:  t.yml\n  FAILED:\n    expr: \"x{a=\\\"b\\\"}\", time: 1m,\n        exp: {__name__=\"x\"} 2E+00\n        got: {__name__=\"x\"} 1E+00\n\n    alertname: Down, time: 5m, \n        exp:[\n            0:\n              Labels:{alertname=\"Down\"}\n            ],\n        got:[]\n";
            var failures = RuleTestRunner.ParseFailures(output);
            Assert.Equal(2, failures.Count);
            Assert.Equal("x{a=\"b\"}", failures[0].Subject);
            Assert.Equal("1m", failures[0].Time);
            Assert.Equal("{__name__=\"x\"} 2E+00", failures[0].Expected);
            Assert.Equal("{__name__=\"x\"} 1E+00", failures[0].Actual);
            Assert.Equal("Down", failures[1].Subject);
            Assert.Equal("5m", failures[1].Time);
            Assert.Equal("[]", failures[1].Actual);
        }

        [Fact]
        [Trait("Category", "Integration")]
        public async Task ReportsEachGroupOfTheCanonicalTestsAndAFailingOne()
        {
            var results = await RuleTestRunner.RunAsync(Path.Combine(RepositoryPaths.CanonicalRules, CanonicalRules.ContractTestFile), CancellationToken.None);
            Assert.Equal(4, results.Count);
            Assert.All(results, r => Assert.True(r.Passed));
            Assert.Equal(new[] { 1, 2, 3, 4 }, results.Select(r => r.Index));

            var directory = Directory.CreateTempSubdirectory("duri-failing-").FullName;
            try
            {
                File.WriteAllText(Path.Combine(directory, "r.yml"), "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: vector(1)\n");
                File.WriteAllText(Path.Combine(directory, "t.test.yml"), "rule_files: [r.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    name: right\n    promql_expr_test:\n      - expr: x\n        eval_time: 1m\n        exp_samples: [{labels: 'x', value: 1}]\n  - interval: 1m\n    promql_expr_test:\n      - expr: x\n        eval_time: 2m\n        exp_samples: [{labels: 'x', value: 2}]\n");
                var mixed = await RuleTestRunner.RunAsync(Path.Combine(directory, "t.test.yml"), CancellationToken.None);
                Assert.Equal(new[] { "right", "group 2" }, mixed.Select(r => r.Group));
                Assert.True(mixed[0].Passed);
                Assert.False(mixed[1].Passed);
                var failure = Assert.Single(mixed[1].Failures);
                Assert.Equal("x", failure.Subject);
                Assert.Equal("2m", failure.Time);
                Assert.Contains("1E+00", failure.Actual);
                Assert.Empty(Directory.GetFiles(directory, ".duri-test-*"));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
