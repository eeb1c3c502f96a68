using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Tests.Support;
using Xunit;
using static Duri.Ops.Tests.ErrorIds;

namespace Duri.Ops.Tests
{
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class RuleCmdletTests : IDisposable
    {
        private readonly PowerShellSession _session = new PowerShellSession();
        private readonly string _directory = Directory.CreateTempSubdirectory("duri-rule-cmdlets-").FullName;

        public void Dispose()
        {
            _session.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        private Hashtable Vars() => new Hashtable { ["dir"] = _directory, ["canonical"] = RepositoryPaths.CanonicalRules };

        [Fact]
        public void ExportWritesTheRulesAndTestsThenLeavesThemAlone()
        {
            var first = _session.Run("Export-DuriRuleFile -Path $dir", Vars());
            Assert.Empty(first.AllErrors);
            var files = first.All<ExportedRuleFile>();
            Assert.Equal(new[] { "Created" }, files.Select(f => f.Status).Distinct());
            Assert.Equal(2, files.Count(f => f.Kind == "Tests"));
            foreach (var file in files)
            {
                var relative = Path.GetRelativePath(_directory, file.Path);
                Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.CanonicalRules, relative)), File.ReadAllText(file.Path));
            }
            var second = _session.Run("Export-DuriRuleFile -Path $dir", Vars());
            Assert.Equal(new[] { "Unchanged" }, second.All<ExportedRuleFile>().Select(f => f.Status).Distinct());
        }

        [Fact]
        public void WhatIfWritesNothingAndNoClobberKeepsOtherContent()
        {
            var whatIf = _session.Run("Export-DuriRuleFile -Path (Join-Path $dir sub) -WhatIf", Vars());
            Assert.Empty(whatIf.Output);
            Assert.False(Directory.Exists(Path.Combine(_directory, "sub")));

            File.WriteAllText(Path.Combine(_directory, CanonicalRules.HeartbeatFile), "mine");
            var kept = _session.Run("Export-DuriRuleFile -Path $dir -NoClobber -NoTests", Vars());
            Assert.Equal("RuleFileExists", Id(Assert.Single(kept.Errors)));
            Assert.Equal("mine", File.ReadAllText(Path.Combine(_directory, CanonicalRules.HeartbeatFile)));
            Assert.False(Directory.Exists(Path.Combine(_directory, "tests")));
        }

        [Fact]
        public void DerivedWindowFollowsTheIntervalsAndImpossibleOnesAreRefused()
        {
            var run = _session.Run("Export-DuriRuleFile -Path $dir -HeartbeatInterval 15s -ScrapeInterval 15s -ToleratedMisses 1 -NoTests", Vars());
            Assert.Empty(run.AllErrors);
            Assert.Contains("duri_heartbeat_changes_2m", File.ReadAllText(Path.Combine(_directory, CanonicalRules.HeartbeatFile)));

            var bad = _session.Run("Export-DuriRuleFile -Path $dir -Window 1m", Vars());
            Assert.Equal("RuleParametersInvalid", Id(bad.Terminating!));
            Assert.Contains("at least HB + 2·SI", bad.Terminating!.Exception.Message);
        }

        [Fact]
        public void RuleTestsGiveOneResultPerGroupAndQuietOneBoolean()
        {
            var run = _session.Run("Invoke-DuriRuleTest -Path (Join-Path $canonical tests)", Vars());
            Assert.Empty(run.AllErrors);
            var results = run.All<RuleTestResult>();
            Assert.Equal(20, results.Count);
            Assert.All(results, r => Assert.True(r.Passed));
            Assert.Contains(run.Progress, p => p.RecordType == ProgressRecordType.Completed);
            Assert.True((bool)_session.Run("Get-ChildItem (Join-Path $canonical tests) -Filter *contract* | Invoke-DuriRuleTest -Quiet", Vars()).Output.Single().BaseObject);

            File.WriteAllText(Path.Combine(_directory, "r.yml"), "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: vector(1)\n");
            File.WriteAllText(Path.Combine(_directory, "bad.test.yml"), "rule_files: [r.yml]\ntests:\n  - interval: 1m\n    promql_expr_test:\n      - expr: x\n        eval_time: 1m\n        exp_samples: [{labels: 'x', value: 2}]\n");
            Assert.False((bool)_session.Run("Invoke-DuriRuleTest $dir -Quiet", Vars()).Output.Single().BaseObject);
            var failed = _session.Run("Invoke-DuriRuleTest $dir", Vars()).Single<RuleTestResult>();
            Assert.False(failed.Passed);
            Assert.Contains("2E+00", Assert.Single(failed.Failures).Expected);
        }

        [Fact]
        public void MissingPromtoolAndMissingFilesAreClearErrors()
        {
            var missing = _session.Run("Invoke-DuriRuleTest (Join-Path $dir nothing.test.yml)", Vars());
            Assert.Equal("RuleTestFileNotFound", Id(Assert.Single(missing.Errors)));

            var previous = Environment.GetEnvironmentVariable("DURI_PROMTOOL");
            Environment.SetEnvironmentVariable("DURI_PROMTOOL", "/nonexistent/promtool");
            try
            {
                var run = _session.Run("Invoke-DuriRuleTest (Join-Path $canonical tests)", Vars());
                Assert.Equal("PromtoolNotFound", Id(run.Terminating!));
                Assert.Contains("DURI_PROMTOOL", run.Terminating!.Exception.Message);
            }
            finally
            {
                Environment.SetEnvironmentVariable("DURI_PROMTOOL", previous);
            }
        }
    }
}
