using System;
using System.Collections;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;
using static Duri.Ops.Tests.ErrorIds;

namespace Duri.Ops.Tests
{
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class CmdletTests : SandboxSessionTest
    {

        public CmdletTests(SandboxFixture fixture)
            : base(fixture)
        {
        }

        private Hashtable Vars(params object[] pairs)
        {
            var table = new Hashtable { ["sandbox"] = Sandbox };
            for (int i = 0; i < pairs.Length; i += 2) table[pairs[i]] = pairs[i + 1];
            return table;
        }

        [Fact]
        public void StartSandboxPipesIntoTheTargetCheckAndStopRemovesIt()
        {
            var run = Session.Run("$s = Start-DuriSandbox -ScrapeInterval 1s; $s; $s | Test-DuriPrometheusTarget; $s | Stop-DuriSandbox -PassThru");
            Assert.Empty(run.AllErrors);
            var sandbox = (DuriSandbox)run.Output[0].BaseObject;
            var targets = run.Output.Skip(1).Take(2).Select(o => (PrometheusTarget)o.BaseObject).ToList();
            Assert.Equal(new[] { "node", "prometheus" }, targets.Select(t => t.Job).OrderBy(j => j));
            Assert.All(targets, t => Assert.Equal(TargetHealth.Up, t.Health));
            Assert.All(targets, t => Assert.Same(sandbox.Prometheus, t.Prometheus));
            Assert.Equal(SandboxState.Stopped, ((DuriSandbox)run.Output.Last().BaseObject).State);
            Assert.False(Directory.Exists(sandbox.Path));
            Assert.Contains(run.Progress, p => p.RecordType == ProgressRecordType.Completed);
        }

        [Fact]
        public void QueryResultsCarryTheirConnectionAndPipeOn()
        {
            var run = Session.Run("$sandbox | Invoke-DuriQuery 'up' | Select-Object -First 1 | Test-DuriPrometheusTarget -Job n*", Vars());
            Assert.Empty(run.AllErrors);
            var target = run.Single<PrometheusTarget>();
            Assert.Equal("node", target.Job);
            Assert.Same(Sandbox.Prometheus, target.Prometheus);
        }

        [Fact]
        public void InstantQueryWritesOneObjectPerSeriesAndAScalarWithoutLabels()
        {
            var run = Session.Run("Invoke-DuriQuery 'up' -Prometheus $sandbox.Prometheus; Invoke-DuriQuery 'scalar(vector(0/0))' -Prometheus $sandbox.Prometheus", Vars());
            Assert.Empty(run.AllErrors);
            var samples = run.All<PrometheusVectorSample>();
            Assert.Equal(3, samples.Count);
            Assert.Equal("up", samples[0].Metric);
            Assert.Equal("up", samples[0].Query);
            Assert.Empty(samples[2].Labels);
            Assert.True(double.IsNaN(samples[2].Value));
        }

        [Fact]
        public void ABadQueryIsAnErrorForThatItemOnlyAndCarriesPrometheusMessage()
        {
            var run = Session.Run("[pscustomobject]@{ Query = 'sum(up' }, [pscustomobject]@{ Query = 'up' } | Invoke-DuriQuery -Prometheus $sandbox.Prometheus", Vars());
            Assert.Null(run.Terminating);
            var error = Assert.Single(run.Errors);
            Assert.Equal("PrometheusQueryFailed", Id(error));
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Equal("sum(up", error.TargetObject);
            Assert.Contains("parse error", error.Exception.Message);
            Assert.Equal(2, run.Output.Count);
        }

        [Fact]
        public void RangeQueryTakesPrometheusDurations()
        {
            var run = Session.Run("Invoke-DuriRangeQuery 'vector(1)' -Since 10s -Step 2s -Prometheus $sandbox.Prometheus", Vars());
            Assert.Empty(run.AllErrors);
            var series = run.Single<PrometheusRangeSeries>();
            Assert.Equal(6, series.Count);
            Assert.Equal(2000, series.Samples[1].UnixTimeMilliseconds - series.Samples[0].UnixTimeMilliseconds);
        }

        [Theory]
        [InlineData("Invoke-DuriRangeQuery up -Since 1m -Start (Get-Date).AddMinutes(-1)", "RangeQueryInvalidRange")]
        [InlineData("Invoke-DuriRangeQuery up", "RangeQueryInvalidRange")]
        [InlineData("Invoke-DuriRangeQuery up -Since 30d -Step 1s", "RangeQueryTooManyPoints")]
        public void RangeQueryRejectsBadRangesBeforeCallingTheServer(string script, string id)
        {
            var run = Session.Run(script + " -Uri http://127.0.0.1:9", Vars());
            Assert.Equal(id, Id(run.Terminating!));
        }

        [Fact]
        public void ADurationThatIsNotOneIsRejectedAtBinding()
        {
            var run = Session.Run("Invoke-DuriRangeQuery up -Since 'ten minutes' -Uri http://127.0.0.1:9");
            Assert.Equal("ParameterArgumentTransformationError", Id(run.Terminating!));
        }

        [Theory]
        [InlineData("not a uri")]
        [InlineData("ftp://host/")]
        [InlineData("http://host/?q=1")]
        public void AMalformedUriIsRejectedAtBinding(string uri)
        {
            var run = Session.Run("Invoke-DuriQuery up -Uri $u", Vars("u", uri));
            Assert.Equal("ParameterArgumentValidationError", Id(run.Terminating!));
        }

        [Fact]
        public void AnUnreachableServerFailsWithinTimeoutSec()
        {
            int port = LoopbackPort.Closed();
            var stopwatch = Stopwatch.StartNew();
            var run = Session.Run($"Invoke-DuriQuery up -Uri http://127.0.0.1:{port} -TimeoutSec 2");
            Assert.Equal("PrometheusUnreachable", Id(run.Terminating!));
            Assert.Equal(ErrorCategory.ConnectionError, run.Terminating!.CategoryInfo.Category);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4));
        }

        [Fact]
        public void AHangingServerIsCutOffByTimeoutSecAndCtrlCStopsAtOnce()
        {
            using var proxy = new FaultProxy(Sandbox.PrometheusUri) { Fault = Fault.Hang };
            var stopwatch = Stopwatch.StartNew();
            var run = Session.Run("Invoke-DuriQuery up -Uri $u -TimeoutSec 1", Vars("u", proxy.Uri));
            Assert.Equal("PrometheusUnreachable", Id(run.Terminating!));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3));

            using var ps = Session.CreatePipeline($"Invoke-DuriQuery up -Uri '{proxy.Uri}' -TimeoutSec 600");
            var pending = ps.BeginInvoke();
            System.Threading.Thread.Sleep(500);
            stopwatch.Restart();
            ps.Stop();
            Assert.True(pending.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(2)));
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2));
        }

        [Fact]
        public void AnHtmlPageIsAnInvalidResponse()
        {
            using var proxy = new FaultProxy(Sandbox.PrometheusUri) { Fault = Fault.Html };
            var run = Session.Run("Test-DuriPrometheusTarget -Uri $u", Vars("u", proxy.Uri));
            Assert.Equal("PrometheusInvalidResponse", Id(run.Terminating!));
            Assert.Contains("text/html", run.Terminating!.Exception.Message);
        }

        [Fact]
        public void RefusedCredentialsAreUnauthorizedAndTheSecretIsInNoStream()
        {
            using var proxy = new FaultProxy(Sandbox.PrometheusUri) { Fault = Fault.Status, Status = 401, Body = "no" };
            var run = Session.Run(
                "$t = ConvertTo-SecureString 'tok-SECRET-42' -AsPlainText -Force; Invoke-DuriQuery up -Uri $u -Token $t -Verbose -Debug",
                Vars("u", proxy.Uri, "DebugPreference", "Continue"));
            Assert.Equal("PrometheusUnauthorized", Id(run.Terminating!));
            Assert.NotEmpty(run.Debug);
            Assert.Contains(run.Debug, d => d.Contains("Authorization: ***"));
            Assert.DoesNotContain(run.AllText, t => t.Contains("tok-SECRET-42"));
            Assert.Equal("Bearer tok-SECRET-42", proxy.LastRequest["authorization"]);
        }

        [Fact]
        public void ConnectMakesTheSessionDefaultAndRemoveModuleDisposesIt()
        {
            using var proxy = new FaultProxy(Sandbox.PrometheusUri);
            var run = Session.Run(
                "$c = Connect-DuriPrometheus -Uri $u -Header @{ 'X-Scope-OrgID' = 'team-a' }; $c; (Invoke-DuriQuery 'up')[0].Prometheus",
                Vars("u", proxy.Uri));
            Assert.Empty(run.AllErrors);
            var connection = (PrometheusConnection)run.Output[0].BaseObject;
            Assert.Equal(Sandbox.Prometheus.Version, connection.Version);
            Assert.Same(connection, run.Output[1].BaseObject);
            Assert.Equal("team-a", proxy.LastRequest["x-scope-orgid"]);

            var removed = Session.Run("Remove-Module Duri.Ops; $c.IsDisposed");
            Assert.Empty(removed.AllErrors);
            Assert.True((bool)removed.Output.Single().BaseObject);
        }

        [Fact]
        public void RemoveModuleStopsTheSessionsOwnSandboxesOnly()
        {
            var run = Session.Run("$s = Start-DuriSandbox -ScrapeInterval 1s; Remove-Module Duri.Ops; $s.PrometheusProcessId; $s.NodeExporterProcessId; $s.Path");
            Assert.Empty(run.AllErrors);
            Assert.False(ProcessProbe.IsRunning((int)run.Output[0].BaseObject));
            Assert.False(ProcessProbe.IsRunning((int)run.Output[1].BaseObject));
            Assert.False(Directory.Exists((string)run.Output[2].BaseObject));
            Assert.True(ProcessProbe.IsRunning(Sandbox.PrometheusProcessId));
        }

        [Fact]
        public void WithoutAConnectionTheEnvironmentVariableIsUsed()
        {
            var previous = Environment.GetEnvironmentVariable("DURI_PROMETHEUS_URL");
            Environment.SetEnvironmentVariable("DURI_PROMETHEUS_URL", Sandbox.PrometheusUri.ToString());
            try
            {
                var run = Session.Run("(Invoke-DuriQuery 'vector(5)').Prometheus.Uri; (Invoke-DuriQuery 'vector(5)').Value");
                Assert.Empty(run.AllErrors);
                Assert.Equal(Sandbox.PrometheusUri, run.Output[0].BaseObject);
                Assert.Equal(5.0, run.Output[1].BaseObject);

                Environment.SetEnvironmentVariable("DURI_PROMETHEUS_URL", "not-a-uri");
                var bad = Session.Run("Invoke-DuriQuery 'vector(5)'");
                Assert.Equal("PrometheusInvalidUri", Id(bad.Terminating!));
            }
            finally
            {
                Environment.SetEnvironmentVariable("DURI_PROMETHEUS_URL", previous);
            }
        }

        [Fact]
        public void ExpectedJobsWithoutHealthyTargetsAreErrorsAndQuietGivesOneBoolean()
        {
            var run = Session.Run("$sandbox | Test-DuriPrometheusTarget -ExpectedJob node, payments", Vars());
            Assert.Equal(2, run.Output.Count);
            var error = Assert.Single(run.Errors);
            Assert.Equal("TargetJobMissing", Id(error));
            Assert.Equal("payments", error.TargetObject);
            Assert.Contains("node, prometheus", error.Exception.Message);

            Assert.True((bool)Session.Run("$sandbox | Test-DuriPrometheusTarget -Quiet", Vars()).Output.Single().BaseObject);
            var quietMissing = Session.Run("$sandbox | Test-DuriPrometheusTarget -ExpectedJob payments -Quiet", Vars());
            Assert.Empty(quietMissing.AllErrors);
            Assert.False((bool)quietMissing.Output.Single().BaseObject);
            Assert.False((bool)Session.Run("$sandbox | Test-DuriPrometheusTarget -Job nothing* -Quiet", Vars()).Output.Single().BaseObject);
            var unreachable = Session.Run("Test-DuriPrometheusTarget -Uri http://127.0.0.1:9 -TimeoutSec 1 -Quiet");
            Assert.Empty(unreachable.AllErrors);
            Assert.False((bool)unreachable.Output.Single().BaseObject);
        }

        [Fact]
        public void AStoppedExporterIsTargetDown()
        {
            var run = Session.Run(@"
                $s = Start-DuriSandbox -ScrapeInterval 1s
                try {
                    Stop-Process -Id $s.NodeExporterProcessId
                    $deadline = (Get-Date).AddSeconds(15)
                    # The scrape in flight when the exporter died may fail otherwise (EOF, reset); wait for a refused one.
                    while ((Get-Date) -lt $deadline -and -not ($s | Test-DuriPrometheusTarget -Job node | Where-Object LastError -match 'connection refused')) { Start-Sleep -Milliseconds 200 }
                    $s | Test-DuriPrometheusTarget -ExpectedJob node
                } finally { $s | Stop-DuriSandbox }");
            var error = Assert.Single(run.Errors);
            Assert.Equal("TargetDown", Id(error));
            Assert.Contains("connection refused", error.Exception.Message);
            Assert.Contains(run.All<PrometheusTarget>(), t => t.Job == "node" && t.Health == TargetHealth.Down);
        }

        [Fact]
        public void WhatIfStartsAndStopsNothing()
        {
            int before = Directory.Exists(Path.Combine(Path.GetTempPath(), "duri-ops", "sandboxes"))
                ? Directory.GetFiles(Path.Combine(Path.GetTempPath(), "duri-ops", "sandboxes")).Length : 0;
            var start = Session.Run("Start-DuriSandbox -WhatIf");
            Assert.Empty(start.Output);
            Assert.Empty(start.AllErrors);
            int after = Directory.Exists(Path.Combine(Path.GetTempPath(), "duri-ops", "sandboxes"))
                ? Directory.GetFiles(Path.Combine(Path.GetTempPath(), "duri-ops", "sandboxes")).Length : 0;
            Assert.Equal(before, after);

            var stop = Session.Run("$sandbox | Stop-DuriSandbox -WhatIf", Vars());
            Assert.Empty(stop.AllErrors);
            Assert.Equal(SandboxState.Running, Sandbox.State);
            Assert.True(Directory.Exists(Sandbox.Path));
        }

        [Fact]
        public void AMissingBinaryIsAnErrorNamingThePackage()
        {
            var previous = Environment.GetEnvironmentVariable("DURI_PROMETHEUS_BIN");
            Environment.SetEnvironmentVariable("DURI_PROMETHEUS_BIN", "/nonexistent/prometheus");
            try
            {
                var run = Session.Run("Start-DuriSandbox");
                Assert.Equal("SandboxBinaryMissing", Id(run.Terminating!));
                Assert.Equal(ErrorCategory.ObjectNotFound, run.Terminating!.CategoryInfo.Category);
                Assert.Contains("DURI_PROMETHEUS_BIN", run.Terminating.Exception.Message);
            }
            finally
            {
                Environment.SetEnvironmentVariable("DURI_PROMETHEUS_BIN", previous);
            }
        }
    }
}
