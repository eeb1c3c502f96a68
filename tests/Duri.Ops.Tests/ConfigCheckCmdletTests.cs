using System;
using System.Collections;
using System.IO;
using System.Linq;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;
using static Duri.Ops.Tests.ErrorIds;

namespace Duri.Ops.Tests
{
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class ConfigCheckCmdletTests : SandboxSessionTest
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("duri-config-check-").FullName;

        public ConfigCheckCmdletTests(SandboxFixture fixture)
            : base(fixture)
        {
            Directory.CreateDirectory(Path.Combine(_directory, "rules"));
            foreach (var file in Directory.GetFiles(RepositoryPaths.CanonicalRules, "*.rules.yml")) File.Copy(file, Path.Combine(_directory, "rules", Path.GetFileName(file)));
            // Overlapping globs: every file must still be checked once.
            File.WriteAllText(Path.Combine(_directory, "prometheus.yml"), "global:\n  scrape_interval: 30s\nrule_files:\n  - rules/*.yml\n  - rules/heartbeat.rules.yml\n  - none/*.yml\nscrape_configs:\n  - job_name: node\n    static_configs: [{targets: ['localhost:9100']}]\n");
        }

        public override void Dispose()
        {
            base.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        private Hashtable Vars() => new Hashtable { ["sandbox"] = Sandbox, ["config"] = Path.Combine(_directory, "prometheus.yml"), ["dir"] = _directory };

        [Fact]
        public void ChecksTheConfigAndEachRuleFileOnce()
        {
            var run = Session.Run("Test-DuriPrometheusConfig -Path $config -Lint", Vars());
            Assert.Empty(run.AllErrors);
            var results = run.All<ConfigCheckResult>();
            Assert.Equal(new[] { "Config", "Rules", "Rules" }, results.Select(r => r.Kind));
            Assert.All(results, r => Assert.True(r.Passed, r.Path + ": " + string.Join("; ", r.Messages)));
            Assert.Equal(2, results.Select(r => r.Path).Distinct().Count(p => p.EndsWith(".rules.yml", StringComparison.Ordinal)));
            Assert.Contains(results[0].Messages, m => m.Contains("'none/*.yml' matches no file"));
            Assert.Equal(3, results.Single(r => r.Path.EndsWith("heartbeat.rules.yml", StringComparison.Ordinal)).Rules);
        }

        [Fact]
        public void ABrokenRuleFileFailsWithPromtoolsMessageAndTheLinters()
        {
            File.WriteAllText(Path.Combine(_directory, "rules", "broken.yml"), "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: sum(rate(duri_green[5m])\n");
            var results = Session.Run("Test-DuriPrometheusConfig $config -Lint", Vars()).All<ConfigCheckResult>();
            var broken = Assert.Single(results, r => r.Path.EndsWith("broken.yml", StringComparison.Ordinal));
            Assert.False(broken.Passed);
            Assert.Contains(broken.Messages, m => m.Contains("unclosed left parenthesis") && m.Contains("group \"g\""));
            Assert.Contains(broken.Messages, m => m.Contains("[promql/syntax]"));
            Assert.False((bool)Session.Run("Test-DuriPrometheusConfig $config -Quiet", Vars()).Output.Single().BaseObject);
        }

        [Fact]
        public void TheSandboxConfigPassesFromThePipeline()
        {
            Assert.True((bool)Session.Run("$sandbox | Test-DuriPrometheusConfig -Quiet", Vars()).Output.Single().BaseObject);
        }

        [Fact]
        public void AnInvalidConfigFailsAndAMissingOneIsAnError()
        {
            File.WriteAllText(Path.Combine(_directory, "bad.yml"), "global:\n  scrape_interval: often\n");
            var bad = Session.Run("Test-DuriPrometheusConfig (Join-Path $dir bad.yml)", Vars()).All<ConfigCheckResult>();
            Assert.False(Assert.Single(bad).Passed);
            Assert.NotEmpty(bad[0].Messages);

            var missing = Session.Run("Test-DuriPrometheusConfig (Join-Path $dir nothing.yml)", Vars());
            Assert.Equal("ConfigFileNotFound", Id(missing.Terminating!));
            var noPromtool = Session.Run("Test-DuriPrometheusConfig $config -PromtoolPath (Join-Path $dir no-promtool)", Vars());
            Assert.Equal("PromtoolNotFound", Id(noPromtool.Terminating!));
        }
    }
}
