using System;
using System.Collections;
using System.IO;
using System.Linq;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Tests.Support;
using Xunit;
using static Duri.Ops.Tests.ErrorIds;

namespace Duri.Ops.Tests
{
    public sealed class RuleLintCmdletTests : IDisposable
    {
        private readonly PowerShellSession _session = new PowerShellSession();
        private readonly string _directory = Directory.CreateTempSubdirectory("duri-lint-cmdlet-").FullName;

        public RuleLintCmdletTests()
        {
            File.WriteAllText(Path.Combine(_directory, "bad.rules.yml"), "groups:\n  - name: g\n    rules:\n      - record: svc:uptime_ratio\n        expr: avg_over_time(duri_green[1h])\n");
            File.WriteAllText(Path.Combine(_directory, "broken.yaml"), "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: sum(up\n");
            File.WriteAllText(Path.Combine(_directory, "ignored.test.yml"), "not: linted\n");
        }

        public void Dispose()
        {
            _session.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        private Hashtable Vars() => new Hashtable { ["dir"] = _directory, ["canonical"] = RepositoryPaths.CanonicalRules };

        [Fact]
        public void ADirectoryIsLintedFileByFileWithPositions()
        {
            var run = _session.Run("Test-DuriRuleFile -Path $dir", Vars());
            Assert.Empty(run.AllErrors);
            var findings = run.All<LintFinding>();
            Assert.Equal(new[] { "broken.yaml", "bad.rules.yml" }.OrderBy(f => f, StringComparer.Ordinal), findings.Select(f => Path.GetFileName(f.File)).Distinct().OrderBy(f => f, StringComparer.Ordinal));
            var syntax = Assert.Single(findings, f => f.Check == RuleLinter.Syntax);
            Assert.Equal(5, syntax.Line);
            Assert.Contains(findings, f => f.Check == RuleLinter.MissingRealm && f.Line == 5 && f.Column == 29);
            Assert.Contains(findings, f => f.Check == RuleLinter.RatioUnbounded);
        }

        [Fact]
        public void GetChildItemPipesInAndQuietAnswersWithOneBoolean()
        {
            Assert.Empty(_session.Run("Get-ChildItem $canonical -Filter *.rules.yml | Test-DuriRuleFile", Vars()).Output);
            Assert.True((bool)_session.Run("Get-ChildItem $canonical -Filter *.rules.yml | Test-DuriRuleFile -Quiet", Vars()).Output.Single().BaseObject);
            Assert.False((bool)_session.Run("Test-DuriRuleFile (Join-Path $dir '*.yml') -Quiet", Vars()).Output.Single().BaseObject);
        }

        [Fact]
        public void ChecksCanBeExcludedAndUnknownOnesAreRefused()
        {
            var run = _session.Run("Test-DuriRuleFile (Join-Path $dir bad.rules.yml) -ExcludeCheck realm/missing-matcher, ratio/unbounded", Vars());
            Assert.Empty(run.Output);
            var bad = _session.Run("Test-DuriRuleFile $dir -ExcludeCheck no/such-check", Vars());
            Assert.Equal("LintCheckUnknown", Id(bad.Terminating!));
            Assert.Contains("range/too-short", bad.Terminating!.Exception.Message);
        }

        [Fact]
        public void TheRealmAndIntervalsAreParameters()
        {
            File.WriteAllText(Path.Combine(_directory, "staging.yml"), "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: rate(duri_heartbeat_sequence_total{metric_realm=\"staging\"}[1m])\n");
            var prod = _session.Run("Test-DuriRuleFile (Join-Path $dir staging.yml)", Vars()).All<LintFinding>();
            Assert.Equal(new[] { RuleLinter.RangeTooShort, RuleLinter.MissingRealm }, prod.Select(f => f.Check).OrderBy(c => c, StringComparer.Ordinal));
            Assert.Empty(_session.Run("Test-DuriRuleFile (Join-Path $dir staging.yml) -Realm staging -ScrapeInterval 15s", Vars()).Output);
        }

        [Fact]
        public void AMissingPathIsAnErrorForThatPath()
        {
            var run = _session.Run("Test-DuriRuleFile (Join-Path $dir nothing.yml), $canonical", Vars());
            Assert.Equal("RuleFileNotFound", Id(Assert.Single(run.Errors)));
            Assert.Empty(run.Output);
        }
    }
}
