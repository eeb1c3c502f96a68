using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests
{
    // In the sandbox collection so that tests starting sandboxes (and setting DURI_* variables) never overlap.
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public class SandboxTests
    {
        private static SandboxOptions FastOptions(string? path = null) =>
            new SandboxOptions { ScrapeInterval = TimeSpan.FromSeconds(1), OwnerTag = "xunit", Path = path };

        [Fact]
        public async Task StartsARealStackAndStopRemovesIt()
        {
            var sandbox = await DuriSandbox.StartAsync(FastOptions());
            string path = sandbox.Path;
            try
            {
                Assert.Equal(SandboxState.Running, sandbox.State);
                Assert.True(File.Exists(sandbox.ConfigPath));
                Assert.True(Directory.Exists(sandbox.RulesDirectory));
                Assert.True(Directory.Exists(sandbox.TextfileDirectory));
                Assert.Equal(IPLoopback, sandbox.PrometheusUri.Host);
                Assert.Equal(IPLoopback, sandbox.NodeExporterUri.Host);
                Assert.NotEqual(sandbox.PrometheusUri.Port, sandbox.NodeExporterUri.Port);
                Assert.False(string.IsNullOrEmpty(sandbox.PrometheusVersion));
                // Returned only after both jobs were scraped: the first query sees every target up.
                var targets = await sandbox.Prometheus.Client.GetTargetsAsync();
                Assert.Equal(new[] { DuriSandbox.NodeExporterJob, DuriSandbox.PrometheusJob }, targets.Select(t => t.Job).OrderBy(j => j));
                Assert.All(targets, t => Assert.Equal(TargetHealth.Up, t.Health));
                Assert.True(ProcessProbe.IsRunning(sandbox.PrometheusProcessId));
                Assert.True(ProcessProbe.IsRunning(sandbox.NodeExporterProcessId));
            }
            finally
            {
                sandbox.Stop();
            }
            Assert.Equal(SandboxState.Stopped, sandbox.State);
            Assert.False(Directory.Exists(path));
            Assert.False(ProcessProbe.IsRunning(sandbox.PrometheusProcessId));
            Assert.False(ProcessProbe.IsRunning(sandbox.NodeExporterProcessId));
            Assert.True(sandbox.Prometheus.IsDisposed);
        }

        [Fact]
        public async Task ATargetGoesDownWhenNodeExporterStops()
        {
            using var sandbox = await DuriSandbox.StartAsync(FastOptions());
            using (var exporter = Process.GetProcessById(sandbox.NodeExporterProcessId))
            {
                exporter.Kill();
                exporter.WaitForExit();
            }
            PrometheusTarget? node = null;
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (DateTime.UtcNow < deadline)
            {
                node = (await sandbox.Prometheus.Client.GetTargetsAsync()).Single(t => t.Job == DuriSandbox.NodeExporterJob);
                if (node.Health == TargetHealth.Down) break;
                await Task.Delay(200);
            }
            Assert.Equal(TargetHealth.Down, node!.Health);
            Assert.Contains("connection refused", node.LastError);
        }

        [Fact]
        public async Task KeepLeavesTheDirectoryWithConfigDataAndLogs()
        {
            var path = Path.Combine(Path.GetTempPath(), "duri-keep-" + Guid.NewGuid().ToString("N"));
            try
            {
                var sandbox = await DuriSandbox.StartAsync(FastOptions(path));
                Assert.Equal(path, sandbox.Path);
                sandbox.Stop(keep: true);
                Assert.True(File.Exists(Path.Combine(path, "prometheus.yml")));
                Assert.True(Directory.Exists(Path.Combine(path, "data")));
                Assert.Contains("Server is ready", File.ReadAllText(Path.Combine(path, "logs", "prometheus.log")));
                Assert.False(ProcessProbe.IsRunning(sandbox.PrometheusProcessId));
            }
            finally
            {
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            }
        }

        [Fact]
        public async Task RefusesADirectoryThatIsInUse()
        {
            var path = Path.Combine(Path.GetTempPath(), "duri-used-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(path);
            File.WriteAllText(Path.Combine(path, "precious.txt"), "keep me");
            try
            {
                var e = await Assert.ThrowsAsync<SandboxException>(() => DuriSandbox.StartAsync(FastOptions(path)));
                Assert.Equal(SandboxFailure.PathInUse, e.Failure);
                Assert.True(File.Exists(Path.Combine(path, "precious.txt")));
            }
            finally
            {
                Directory.Delete(path, recursive: true);
            }
        }

        [Fact]
        public async Task AMissingBinaryNamesThePackageToInstall()
        {
            var previous = Environment.GetEnvironmentVariable("DURI_NODE_EXPORTER_BIN");
            Environment.SetEnvironmentVariable("DURI_NODE_EXPORTER_BIN", "/nonexistent/node_exporter");
            try
            {
                var e = await Assert.ThrowsAsync<SandboxException>(() => DuriSandbox.StartAsync(FastOptions()));
                Assert.Equal(SandboxFailure.BinaryMissing, e.Failure);
                Assert.Contains("DURI_NODE_EXPORTER_BIN", e.Message);
            }
            finally
            {
                Environment.SetEnvironmentVariable("DURI_NODE_EXPORTER_BIN", previous);
            }
            Assert.Contains("apt-get install prometheus-node-exporter", ExternalTool.NodeExporter.InstallHint.Replace("DURI_NODE_EXPORTER_BIN is set", string.Empty));
        }

        [Fact]
        public async Task ASandboxWhoseSessionDiedIsCleanedUpByTheNextStart()
        {
            // A real pwsh-like owner: a child process that starts a sandbox and is then killed without stopping it.
            using var orphan = await DuriSandbox.StartAsync(FastOptions());
            var record = SandboxRegistry.ReadAll().Single(r => r.Id == orphan.Id);
            using (var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
            {
                long deadStart = dead.StartTime.ToUniversalTime().Ticks;
                dead.WaitForExit();
                record.OwnerPid = dead.Id;
                record.OwnerStartTicks = deadStart;
            }
            SandboxRegistry.Save(record);

            var cleaned = DuriSandbox.CleanupStale();

            Assert.Contains(orphan.Id, cleaned);
            Assert.False(ProcessProbe.IsRunning(orphan.PrometheusProcessId));
            Assert.False(ProcessProbe.IsRunning(orphan.NodeExporterProcessId));
            Assert.False(Directory.Exists(orphan.Path));
            Assert.DoesNotContain(SandboxRegistry.ReadAll(), r => r.Id == orphan.Id);
        }

        private const string IPLoopback = "127.0.0.1";
    }
}
