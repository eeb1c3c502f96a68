using System.Collections;
using System.IO;
using System.Linq;
using Duri.Ops.Engine.Reload;
using Duri.Ops.Tests.Support;
using Xunit;
using static Duri.Ops.Tests.ErrorIds;

namespace Duri.Ops.Tests
{
    /// <summary>The cmdlet over the shared sandbox, which loads no rules: reloading its own config changes nothing it serves.</summary>
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class SafeReloadCmdletTests : SandboxSessionTest
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("duri-safe-reload-").FullName;

        public SafeReloadCmdletTests(SandboxFixture fixture)
            : base(fixture)
        {
        }

        public override void Dispose()
        {
            base.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        private Hashtable Vars() => new Hashtable { ["sandbox"] = Sandbox, ["dir"] = _directory };

        [Fact]
        public void APipedSandboxIsReloadedAndVerified()
        {
            var run = Session.Run("$sandbox | Invoke-DuriSafeReload -Force", Vars());
            Assert.Empty(run.AllErrors);
            var result = run.Single<SafeReloadResult>();
            Assert.True(result.Succeeded, result.Message);
            Assert.Equal(Sandbox.ConfigPath, result.ConfigPath);
            Assert.Equal(new[] { "Lock", "Check", "Before", "Reload", "Verify" }, result.Steps.Select(s => s.Name));
            Assert.Contains(run.Progress, p => p.Activity == "Safe reload");
        }

        [Fact]
        public async System.Threading.Tasks.Task WhatIfChecksButSendsNothing()
        {
            var before = await Sandbox.Prometheus.Client.GetRuntimeInfoAsync();
            var run = Session.Run("$sandbox | Invoke-DuriSafeReload -WhatIf", Vars());
            Assert.Empty(run.AllErrors);
            Assert.Empty(run.Output);
            await System.Threading.Tasks.Task.Delay(1200);
            Assert.Equal(before.LastConfigTime, (await Sandbox.Prometheus.Client.GetRuntimeInfoAsync()).LastConfigTime);
        }

        [Fact]
        public void AFailedCheckWritesTheResultThenAnErrorNamingTheStep()
        {
            File.WriteAllText(Path.Combine(_directory, "prometheus.yml"), "global:\n  evaluation_interval: sometimes\n");
            var run = Session.Run("Invoke-DuriSafeReload (Join-Path $dir prometheus.yml) -Prometheus $sandbox.Prometheus -Force", Vars());
            var result = run.Single<SafeReloadResult>();
            Assert.Equal(SafeReloadFailure.ConfigCheckFailed, result.Failure);
            var error = Assert.Single(run.Errors);
            Assert.Equal("ConfigCheckFailed", Id(error));
            Assert.Contains("Safe reload stopped at Check", error.ToString());

            var stopped = Session.Run("Invoke-DuriSafeReload (Join-Path $dir prometheus.yml) -Prometheus $sandbox.Prometheus -Force -ErrorAction Stop", Vars());
            Assert.Equal("ConfigCheckFailed", Id(stopped.Terminating!));
        }

        [Fact]
        public void ASandboxWithoutTheLifecycleApiIsRefusedThenReloadedBySignal()
        {
            var run = Session.Run(@"
                $s = Start-DuriSandbox -ScrapeInterval 1s -RuleFile @() -DisableLifecycleApi
                try {
                    $s | Invoke-DuriSafeReload -Force -ErrorAction SilentlyContinue -ErrorVariable refused
                    $refused | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] }
                    $s | Invoke-DuriSafeReload -Signal -Force
                } finally { $s | Stop-DuriSandbox }");
            Assert.Empty(run.AllErrors);
            var refused = (SafeReloadResult)run.Output[0].BaseObject;
            Assert.Equal(SafeReloadFailure.ReloadLifecycleDisabled, refused.Failure);
            Assert.Equal("ReloadLifecycleDisabled", run.Output[1].BaseObject);
            var signalled = (SafeReloadResult)run.Output[2].BaseObject;
            Assert.True(signalled.Succeeded, signalled.Message);
            Assert.StartsWith("SIGHUP to process ", signalled.Method);
        }

        [Fact]
        public void BadInputIsRefusedBeforeAnyWork()
        {
            var signal = Session.Run("Invoke-DuriSafeReload $sandbox.ConfigPath -Prometheus $sandbox.Prometheus -Signal -Force", Vars());
            Assert.Equal("ReloadParameterInvalid", Id(signal.Terminating!));
            Assert.Contains("-ProcessId", signal.Terminating!.ToString());

            var missing = Session.Run("Invoke-DuriSafeReload (Join-Path $dir nothing.yml) -Prometheus $sandbox.Prometheus -Force", Vars());
            Assert.Equal("ConfigFileNotFound", Id(missing.Terminating!));

            var timeout = Session.Run("$sandbox | Invoke-DuriSafeReload -VerifyTimeout 0s -Force", Vars());
            Assert.Equal("ParameterArgumentValidationError", Id(timeout.Terminating!));
        }
    }
}
