using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Reload;
using Duri.Ops.Engine.Sandbox;
using Xunit;

namespace Duri.Ops.Engine.Tests.Reload
{
    /// <summary>A sandbox of its own, since these tests change its rule files and reload it.</summary>
    public sealed class ReloadSandboxFixture : IAsyncLifetime
    {
        public DuriSandbox Sandbox { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Sandbox = await DuriSandbox.StartAsync(new SandboxOptions { ScrapeInterval = TimeSpan.FromSeconds(1), OwnerTag = "xunit-reload" });
        }

        public Task DisposeAsync()
        {
            Sandbox?.Stop();
            return Task.CompletedTask;
        }
    }

    [Trait("Category", "Integration")]
    public sealed class SafeReloaderTests : IClassFixture<ReloadSandboxFixture>, IDisposable
    {
        private static readonly Func<SafeReloadPlan, Task<bool>> Yes = _ => Task.FromResult(true);
        private readonly DuriSandbox _sandbox;

        public SafeReloaderTests(ReloadSandboxFixture fixture)
        {
            _sandbox = fixture.Sandbox;
            foreach (var file in Directory.GetFiles(_sandbox.RulesDirectory)) File.Delete(file);
        }

        public void Dispose()
        {
            foreach (var file in Directory.GetFiles(_sandbox.RulesDirectory)) File.Delete(file);
        }

        private PrometheusClient Client => _sandbox.Prometheus.Client;

        private SafeReloadOptions Options() => new SafeReloadOptions(_sandbox.ConfigPath) { VerifyTimeout = TimeSpan.FromSeconds(20) };

        private string WriteRules(string name, string group, string expression = "sum(up)") =>
            WriteText(name, $"groups:\n  - name: {group}\n    rules:\n      - record: duri_test:{group.Replace('-', '_')}\n        expr: {expression}\n");

        private string WriteText(string name, string text)
        {
            var path = Path.Combine(_sandbox.RulesDirectory, name);
            File.WriteAllText(path, text);
            return path;
        }

        private async Task<SafeReloadResult> ReloadAsync(SafeReloadOptions? options = null, Func<SafeReloadPlan, Task<bool>>? confirm = null, PrometheusClient? client = null) =>
            (await SafeReloader.RunAsync(client ?? Client, options ?? Options(), confirm ?? Yes))!;

        private async Task<string[]> LoadedGroupsAsync() => (await Client.GetRulesAsync()).Select(g => g.Name).OrderBy(n => n).ToArray();

        [Fact]
        public async Task AGoodChangeIsReloadedAndVerified()
        {
            WriteRules("a.yml", "group-a");
            var result = await ReloadAsync();
            Assert.True(result.Succeeded, result.Message);
            Assert.Equal(new[] { "Lock", "Check", "Before", "Reload", "Verify" }, result.Steps.Select(s => s.Name));
            Assert.All(result.Steps, s => Assert.Equal(ReloadStepStatus.Passed, s.Status));
            Assert.True(result.ConfigTimeAfter > result.ConfigTimeBefore);
            Assert.Equal("POST /-/reload", result.Method);
            Assert.Equal(new[] { "group-a" }, await LoadedGroupsAsync());

            WriteRules("b.yml", "group-b");
            var second = await ReloadAsync();
            Assert.True(second.Succeeded, second.Message);
            Assert.Equal(result.ConfigTimeAfter, second.ConfigTimeBefore);
            Assert.Equal(new[] { "group-a", "group-b" }, await LoadedGroupsAsync());
            Assert.Contains("2 group(s) loaded", second.Steps.Last().Detail);
        }

        [Fact]
        public async Task ABrokenRuleFileIsNeverSent()
        {
            WriteRules("a.yml", "group-a");
            Assert.True((await ReloadAsync()).Succeeded);
            var before = await Client.GetRuntimeInfoAsync();

            WriteRules("broken.yml", "group-broken", "sum(rate(up[1m])");
            var result = await ReloadAsync();
            Assert.Equal(SafeReloadFailure.RuleCheckFailed, result.Failure);
            Assert.Equal("Check", result.FailedStep);
            Assert.Equal(new[] { "Lock", "Check" }, result.Steps.Select(s => s.Name));
            Assert.Contains("unclosed left parenthesis", result.Message);
            Assert.Contains("Nothing was sent", result.Message);

            await Task.Delay(1500);
            var after = await Client.GetRuntimeInfoAsync();
            Assert.Equal(before.LastConfigTime, after.LastConfigTime);
            Assert.True(after.ReloadConfigSuccess);
            Assert.Equal(new[] { "group-a" }, await LoadedGroupsAsync());
        }

        [Fact]
        public async Task ABrokenConfigIsNeverSent()
        {
            var directory = Directory.CreateTempSubdirectory("duri-reload-config-").FullName;
            try
            {
                var config = Path.Combine(directory, "prometheus.yml");
                File.WriteAllText(config, "global:\n  scrape_interval: often\n");
                var before = await Client.GetRuntimeInfoAsync();
                var result = await ReloadAsync(new SafeReloadOptions(config));
                Assert.Equal(SafeReloadFailure.ConfigCheckFailed, result.Failure);
                Assert.Contains("often", result.Message);
                Assert.Equal(before.LastConfigTime, (await Client.GetRuntimeInfoAsync()).LastConfigTime);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        [Fact]
        public async Task AFileChangedBetweenCheckAndReloadIsCaughtByVerification()
        {
            var path = WriteRules("a.yml", "group-a");
            var result = await ReloadAsync(confirm: _ =>
            {
                WriteRules("a.yml", "group-swapped");
                return Task.FromResult(true);
            });
            Assert.Equal(SafeReloadFailure.ReloadNotVerified, result.Failure);
            Assert.Equal("Verify", result.FailedStep);
            Assert.Contains(path + " changed after it was checked", result.Message);
            Assert.Contains("rule groups not on the server: " + path + " group group-a", result.Message);
            Assert.Contains("group group-swapped", result.Message);
        }

        [Fact]
        public async Task AFileBrokenBetweenCheckAndReloadIsRejectedWithPrometheusMessage()
        {
            WriteRules("a.yml", "group-a");
            var result = await ReloadAsync(confirm: _ =>
            {
                WriteRules("a.yml", "group-a", "sum(up");
                return Task.FromResult(true);
            });
            Assert.Equal(SafeReloadFailure.ReloadRejected, result.Failure);
            Assert.Equal("Reload", result.FailedStep);
            Assert.Contains("HTTP 500", result.Message);
            Assert.Contains("failed to reload config", result.Message);
            Assert.Contains("a.yml changed after it was checked", result.Message);
            Assert.False((await Client.GetRuntimeInfoAsync()).ReloadConfigSuccess);

            WriteRules("a.yml", "group-a");
            var repaired = await ReloadAsync();
            Assert.True(repaired.Succeeded, repaired.Message);
            Assert.Contains("last reload FAILED", repaired.Steps.Single(s => s.Name == "Before").Detail);
        }

        [Fact]
        public async Task ARuleThatFailsToEvaluateIsNotVerified()
        {
            // Valid to promtool, but the two up series match one group on the right-hand side at evaluation.
            WriteRules("a.yml", "group-a", "up * on() up");
            var result = await ReloadAsync();
            Assert.Equal(SafeReloadFailure.ReloadNotVerified, result.Failure);
            Assert.Contains("rules fail to evaluate: group-a/duri_test:group_a", result.Message);
        }

        [Fact]
        public async Task ConcurrentReloadsOfOneConfigAreSerialized()
        {
            WriteRules("a.yml", "group-a");
            var firstHoldsTheLock = new TaskCompletionSource<bool>();
            var release = new TaskCompletionSource<bool>();
            var first = Task.Run(() => ReloadAsync(confirm: async _ =>
            {
                firstHoldsTheLock.SetResult(true);
                return await release.Task;
            }));
            await firstHoldsTheLock.Task;

            var options = Options();
            options.LockTimeout = TimeSpan.FromMilliseconds(300);
            var refused = await ReloadAsync(options);
            Assert.Equal(SafeReloadFailure.ReloadInProgress, refused.Failure);
            Assert.Equal(new[] { "Lock" }, refused.Steps.Select(s => s.Name));

            var waiting = Task.Run(() => ReloadAsync());
            await Task.Delay(500);
            Assert.False(waiting.IsCompleted);
            release.SetResult(true);
            var results = await Task.WhenAll(first, waiting);
            Assert.All(results, r => Assert.True(r.Succeeded, r.Message));
            var firstEnd = results[0].Steps.Last().StartedAt + results[0].Steps.Last().Duration;
            var secondCheck = results[1].Steps.Single(s => s.Name == "Check").StartedAt;
            Assert.True(secondCheck >= firstEnd - TimeSpan.FromMilliseconds(20), $"second checked at {secondCheck:O}, first ended {firstEnd:O}");
        }

        [Fact]
        public async Task AServerThatIsDownGetsNothingAndAClearError()
        {
            WriteRules("a.yml", "group-a");
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            using var down = new PrometheusClient(new PrometheusConnectionSettings(new Uri($"http://127.0.0.1:{port}/")) { Timeout = TimeSpan.FromSeconds(2) });
            var result = await ReloadAsync(client: down);
            Assert.Equal(SafeReloadFailure.ServerStateUnavailable, result.Failure);
            Assert.Equal(new[] { "Lock", "Check", "Before" }, result.Steps.Select(s => s.Name));
            Assert.Contains("nothing was sent", result.Message);
            Assert.Null(result.ConfigTimeBefore);
        }

        [Fact]
        [System.Runtime.Versioning.SupportedOSPlatform("linux")]
        public async Task PromtoolRunsOncePerFileNotMore()
        {
            WriteRules("a.yml", "group-a");
            WriteRules("b.yml", "group-b");
            var log = Path.Combine(_sandbox.Path, "promtool-calls.log");
            var wrapper = Path.Combine(_sandbox.Path, "promtool-counting.sh");
            File.WriteAllText(wrapper, $"#!/bin/sh\necho \"$*\" >> '{log}'\nexec '{ExternalTool.Promtool.Find()}' \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var options = Options();
            options.PromtoolPath = wrapper;
            var result = await ReloadAsync(options);
            Assert.True(result.Succeeded, result.Message);
            var calls = File.ReadAllLines(log);
            Assert.Equal(2, calls.Length);
            Assert.StartsWith("check config", calls[0]);
            Assert.Equal(1, CountOf(calls[1], "/a.yml"));
            Assert.Equal(1, CountOf(calls[1], "/b.yml"));
        }

        private static int CountOf(string text, string part) => (text.Length - text.Replace(part, string.Empty).Length) / part.Length;
    }

    [Trait("Category", "Integration")]
    public sealed class SafeReloadWithoutLifecycleTests
    {
        [Fact]
        public async Task TheLifecycleApiOffGivesItsErrorAndSighupReloads()
        {
            var sandbox = await DuriSandbox.StartAsync(new SandboxOptions { ScrapeInterval = TimeSpan.FromSeconds(1), EnableLifecycleApi = false, OwnerTag = "xunit-reload" });
            try
            {
                File.WriteAllText(Path.Combine(sandbox.RulesDirectory, "a.yml"), "groups:\n  - name: group-a\n    rules:\n      - record: duri_test:a\n        expr: sum(up)\n");
                var options = new SafeReloadOptions(sandbox.ConfigPath) { VerifyTimeout = TimeSpan.FromSeconds(20) };
                var refused = (await SafeReloader.RunAsync(sandbox.Prometheus.Client, options, _ => Task.FromResult(true)))!;
                Assert.Equal(SafeReloadFailure.ReloadLifecycleDisabled, refused.Failure);
                Assert.Contains("--web.enable-lifecycle", refused.Message);
                Assert.Contains("-Signal", refused.Message);
                Assert.Empty(await sandbox.Prometheus.Client.GetRulesAsync());

                options.SignalProcessId = sandbox.PrometheusProcessId;
                var signalled = (await SafeReloader.RunAsync(sandbox.Prometheus.Client, options, _ => Task.FromResult(true)))!;
                Assert.True(signalled.Succeeded, signalled.Message);
                Assert.Equal($"SIGHUP to process {sandbox.PrometheusProcessId}", signalled.Method);
                Assert.Equal("group-a", Assert.Single(await sandbox.Prometheus.Client.GetRulesAsync()).Name);

                options.SignalProcessId = Environment.ProcessId;
                var wrongProcess = (await SafeReloader.RunAsync(sandbox.Prometheus.Client, options, _ => Task.FromResult(true)))!;
                Assert.Equal(SafeReloadFailure.ReloadFailed, wrongProcess.Failure);
                Assert.Contains("not Prometheus; no signal was sent", wrongProcess.Message);
            }
            finally
            {
                sandbox.Stop();
            }
        }
    }
}
