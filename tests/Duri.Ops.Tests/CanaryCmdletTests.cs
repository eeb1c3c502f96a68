using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using Duri.Ops.Engine.Canary;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Tests.Support;
using Xunit;
using static Duri.Ops.Tests.ErrorIds;

namespace Duri.Ops.Tests
{
    [Collection(TimedRunCollection.Name)]
    public sealed class CanaryCmdletTests : IDisposable
    {
        private readonly PowerShellSession _session = new PowerShellSession();
        private readonly string _directory = Directory.CreateTempSubdirectory("duri-canary-cmdlet-").FullName;

        public void Dispose()
        {
            _session.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        private Hashtable Vars(CanaryTarget? target = null) => new Hashtable { ["dir"] = _directory, ["uri"] = target?.Uri };

        /// <summary>
        /// The first script block a fresh runspace runs, and the first CLIXML it writes of each kind of object (custom
        /// objects and hashtables), can take longer than a whole short run on a loaded machine; with one slot that would
        /// end the run early (correctly, but not what these tests measure).
        /// </summary>
        internal const string WarmUp = "$null = Invoke-DuriCanarySampling -Duration 0.5 -Rate 10 -ScriptBlock { [pscustomobject]@{ n = 1 }; @{ same = 1 } }; ";

        /// <summary>
        /// Runs <paramref name="script"/> after a warm-up run against another target. The first HTTP request of a fresh
        /// runspace (client, connection, JIT) can outlast a short run on a loaded machine, and these tests count samples.
        /// </summary>
        private PowerShellRun RunWarm(string script, Hashtable vars)
        {
            using var warmUp = new CanaryTarget(n => CanaryAnswer.Ok("w" + n));
            vars["warmUp"] = warmUp.Uri;
            return _session.Run("$null = Invoke-DuriCanarySampling -Uri $warmUp -Duration 0.5 -Rate 10; " + script, vars);
        }

        private double Published(string metric, string realm = "prod") =>
            ExpositionReader.Read(File.ReadAllText(Path.Combine(_directory, $"duri_canary_{realm}.prom"))).Single(f => f.Name == metric).Samples.Single().Value;

        [Fact]
        public void AUriWithAKnownShareOfDuplicatesGivesThatRatioAndPublishesIt()
        {
            using var target = new CanaryTarget(CanaryTarget.EveryFourthRepeats);
            var run = RunWarm("Invoke-DuriCanarySampling -Uri $uri -Duration 1s -Rate 40 -Concurrency 16 -TextfileDirectory $dir -Realm staging -MinimumSamples 40 -MinimumUniqueRatio 0.75", Vars(target));
            Assert.Empty(run.AllErrors);
            var result = run.Single<CanaryResult>();
            Assert.Equal(40, result.Samples);
            Assert.Equal(30, result.Unique);
            Assert.Equal(0.75, result.UniqueRatio);
            Assert.True(result.QuorumMet);
            Assert.True(result.Completed);
            Assert.Equal(target.Uri.ToString(), result.Target);
            Assert.Equal(Path.Combine(_directory, "duri_canary_staging.prom"), result.Path);
            Assert.Equal(40, Published(CanaryPublisher.SamplesMetric, "staging"));
            Assert.Equal(0.75, Published(CanaryPublisher.UniqueRatioMetric, "staging"));
            Assert.Contains(run.Progress, p => p.RecordType == ProgressRecordType.Completed);
        }

        [Fact]
        public void ServerErrorsAndTimeoutsAreFailuresNamedInVerbose()
        {
            using var target = new CanaryTarget(n => n % 5 == 0 ? CanaryAnswer.Failing(500) : n == 3 ? CanaryAnswer.Never() : CanaryAnswer.Ok("r" + n));
            var run = RunWarm("Invoke-DuriCanarySampling -Uri $uri -Duration 1s -Rate 20 -Concurrency 8 -TimeoutSec 1 -Verbose", Vars(target));
            Assert.Empty(run.AllErrors);
            var result = run.Single<CanaryResult>();
            Assert.Equal(20, result.Sent);
            Assert.Equal(5, result.Failures);
            Assert.Equal(15, result.Samples);
            Assert.Equal(4, result.FailureReasons["HTTP 500"]);
            Assert.Equal(1, result.FailureReasons["timeout"]);
            Assert.Contains(run.Verbose, v => v.Contains("4 failure(s): HTTP 500", StringComparison.Ordinal));
            Assert.Empty(result.Path);
            Assert.Empty(Directory.GetFileSystemEntries(_directory));
        }

        [Fact]
        public void AScriptBlockRunsOnThePipelineThreadWithTheSampleNumber()
        {
            var run = _session.Run(
                WarmUp + "$threads = [System.Collections.Generic.HashSet[int]]::new(); " +
                "Invoke-DuriCanarySampling -Duration 1s -Rate 20 -MinimumSamples 20 -ScriptBlock { $null = $threads.Add([Environment]::CurrentManagedThreadId); if ($args[0] % 4 -eq 0) { @{ same = 1 } } else { [pscustomobject]@{ n = $args[0] } } }; " +
                "$threads.Count", Vars());
            Assert.Empty(run.AllErrors);
            var result = (CanaryResult)run.Output[0].BaseObject;
            Assert.Equal(1, (int)run.Output[1].BaseObject);
            Assert.Equal("script block", result.Target);
            Assert.Equal(1, result.Concurrency);
            // One at a time on a shared machine: a stall at the end may cut the last few, so count what ran.
            Assert.InRange(result.Sent, 8, 20);
            Assert.Equal(result.Sent, result.Samples);
            // Objects are fingerprinted by content: a distinct custom object for each n not divisible by 4, one hashtable for the rest.
            Assert.Equal(result.Sent - result.Sent / 4 + 1, result.Unique);
        }

        [Fact]
        public void AScriptBlockThatThrowsIsAFailure()
        {
            var run = _session.Run(WarmUp + "Invoke-DuriCanarySampling -Duration 1s -Rate 10 -ScriptBlock { if ($args[0] -gt 6) { throw 'canary down' }; [guid]::NewGuid() }", Vars());
            var result = run.Single<CanaryResult>();
            Assert.InRange(result.Sent, 8, 10);
            Assert.Equal(6, result.Samples);
            Assert.Equal(6, result.Unique);
            Assert.Equal(result.Sent - 6, result.FailureReasons["script error"]);
            Assert.Contains("canary down", result.LastFailure, StringComparison.Ordinal);
        }

        [Fact]
        public void TheQuorumTakesAPipedResult()
        {
            var run = _session.Run(
                WarmUp + "$r = Invoke-DuriCanarySampling -Duration 2s -Rate 20 -ScriptBlock { [guid]::NewGuid().Guid }; " +
                "$r | Test-DuriCanaryQuorum -MinimumSamples 20; $r | Test-DuriCanaryQuorum; $r | Test-DuriCanaryQuorum -MinimumSamples 20 -Quiet; $r | Test-DuriCanaryQuorum -Quiet", Vars());
            Assert.Empty(run.AllErrors);
            var pass = (CanaryQuorumResult)run.Output[0].BaseObject;
            var fail = (CanaryQuorumResult)run.Output[1].BaseObject;
            Assert.True(pass.Passed);
            Assert.Equal("result", pass.Source);
            Assert.Equal(1.0, pass.UniqueRatio);
            Assert.False(fail.Passed);
            Assert.Contains("fewer than the 100 required", fail.Reason, StringComparison.Ordinal);
            Assert.Equal(new object[] { true, false }, run.Output.Skip(2).Select(o => o.BaseObject));
        }

        [Fact]
        public void WhatIfNeitherSamplesNorWrites()
        {
            using var target = new CanaryTarget(CanaryTarget.EveryFourthRepeats);
            var run = _session.Run("Invoke-DuriCanarySampling -Uri $uri -Duration 1s -TextfileDirectory (Join-Path $dir new) -Force -WhatIf; Invoke-DuriCanarySampling -Uri $uri -Duration 1s -WhatIf", Vars(target));
            Assert.Empty(run.Output);
            Assert.Empty(run.AllErrors);
            Assert.Equal(0, target.Requests);
            Assert.Empty(Directory.GetFileSystemEntries(_directory));
        }

        [Fact]
        public void AMissingDirectoryIsAnErrorUnlessForceCreatesIt()
        {
            var missing = _session.Run("Invoke-DuriCanarySampling -ScriptBlock { 1 } -Duration 1s -TextfileDirectory (Join-Path $dir new)", Vars());
            Assert.Empty(missing.Output);
            Assert.Equal("CanaryDirectoryNotFound", Id(missing.Terminating!));
            Assert.Contains("-Force", missing.Terminating!.ToString(), StringComparison.Ordinal);

            var created = _session.Run("Invoke-DuriCanarySampling -ScriptBlock { 1 } -Duration 0.5 -Rate 4 -TextfileDirectory (Join-Path $dir new) -Force", Vars());
            Assert.Empty(created.AllErrors);
            Assert.True(File.Exists(Path.Combine(_directory, "new", "duri_canary_prod.prom")));
        }

        [Theory]
        [InlineData("-Uri $uri -Duration 0")]
        [InlineData("-Uri $uri -Duration -5")]
        [InlineData("-Uri $uri -Duration 10s -Rate 0")]
        [InlineData("-Uri $uri -Duration 10s -Rate -1")]
        [InlineData("-Uri $uri -Duration 10s -Concurrency 0")]
        [InlineData("-Uri $uri -Duration 10s -TimeoutSec 0")]
        [InlineData("-Uri ftp://example.com/ -Duration 10s")]
        [InlineData("-Uri /relative -Duration 10s")]
        [InlineData("-Uri http://user:secret@127.0.0.1/ -Duration 10s")]
        [InlineData("-Uri $uri -Duration 10s -Realm 'pr\"od'")]
        [InlineData("-Uri $uri -Duration 10s -MinimumUniqueRatio 1.5")]
        [InlineData("-Uri $uri -Duration 10s -MinimumSamples 0")]
        public void BadInputIsRejectedAtBinding(string arguments)
        {
            using var target = new CanaryTarget(CanaryTarget.EveryFourthRepeats);
            var run = _session.Run("Invoke-DuriCanarySampling " + arguments, Vars(target));
            Assert.Empty(run.Output);
            Assert.Equal("ParameterArgumentValidationError", Id(run.Terminating!));
            Assert.Equal(0, target.Requests);
        }

        [Fact]
        public void MoreSamplesThanCanBeCountedIsCanaryParameterInvalid()
        {
            var run = _session.Run("Invoke-DuriCanarySampling -ScriptBlock { 1 } -Duration 30d -Rate 1000", Vars());
            Assert.Empty(run.Output);
            Assert.Equal("CanaryParameterInvalid", Id(run.Terminating!));
            Assert.Equal(ErrorCategory.InvalidArgument, run.Terminating!.CategoryInfo.Category);
        }

        [Fact]
        public void AFileThatCannotBeWrittenIsCanaryWriteFailedBeforeAnySample()
        {
            using var target = new CanaryTarget(CanaryTarget.EveryFourthRepeats);
            // A directory where the file must go makes the rename fail, for root as for anyone.
            Directory.CreateDirectory(Path.Combine(_directory, "duri_canary_prod.prom"));
            var run = _session.Run("Invoke-DuriCanarySampling -Uri $uri -Duration 5s -TextfileDirectory $dir", Vars(target));
            Assert.Empty(run.Output);
            Assert.Equal("CanaryWriteFailed", Id(run.Terminating!));
            Assert.Equal(ErrorCategory.WriteError, run.Terminating!.CategoryInfo.Category);
            Assert.Contains("before the first sample", run.Terminating.ToString(), StringComparison.Ordinal);
            Assert.Equal(0, target.Requests);
        }

        [Fact]
        public void AScriptBlockThatOverrunsTheTimeoutIsAFailureAndTheNextSampleRunsAfterIt()
        {
            var run = _session.Run(WarmUp + "Invoke-DuriCanarySampling -Duration 3s -Rate 1 -TimeoutSec 1 -ScriptBlock { if ($args[0] -eq 1) { Start-Sleep -Milliseconds 1500 }; [guid]::NewGuid() }", Vars());
            Assert.Empty(run.AllErrors);
            var result = run.Single<CanaryResult>();
            Assert.Equal(3, result.Sent);
            Assert.Equal(2, result.Samples);
            Assert.Equal(1, result.FailureReasons["timeout"]);
        }

        [Fact]
        public void ConcurrencyDoesNotBindWithAScriptBlock()
        {
            var run = _session.Run("Invoke-DuriCanarySampling -ScriptBlock { 1 } -Duration 1s -Concurrency 4", Vars());
            Assert.Empty(run.Output);
            Assert.Equal("AmbiguousParameterSet", Id(run.Terminating!));
        }

        [Fact]
        public void StoppingPublishesThePartialCountsAtOnce()
        {
            using var target = new CanaryTarget(n => CanaryAnswer.Ok("r" + n));
            using var ps = _session.CreatePipeline($"Invoke-DuriCanarySampling -Uri '{target.Uri}' -Duration 60s -Rate 20 -TextfileDirectory '{_directory}'");
            var running = ps.BeginInvoke();
            var file = Path.Combine(_directory, "duri_canary_prod.prom");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (target.Requests < 10 && DateTime.UtcNow < deadline) Thread.Sleep(20);
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            ps.Stop();
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"Stopping took {stopping.Elapsed}.");

            // The partial counts were published on the way out, not just the last 5-second update.
            double samples = Published(CanaryPublisher.SamplesMetric);
            Assert.InRange(samples, 10, target.Requests);
            Assert.Equal(1.0, Published(CanaryPublisher.UniqueRatioMetric));
            Assert.Equal(new[] { file }, Directory.GetFiles(_directory));
        }
    }

    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class CanaryQuorumCmdletTests : SandboxSessionTest
    {
        public CanaryQuorumCmdletTests(SandboxFixture fixture)
            : base(fixture)
        {
        }

        private Hashtable Vars() => new Hashtable { ["sandbox"] = Sandbox, ["dir"] = Sandbox.TextfileDirectory };

        [Fact]
        public void TheQuorumReadsWhatTheSamplingPublishedThroughPrometheus()
        {
            var file = Path.Combine(Sandbox.TextfileDirectory, "duri_canary_canaryhosted.prom");
            try
            {
                var run = Session.Run(
                    CanaryCmdletTests.WarmUp + "$r = Invoke-DuriCanarySampling -Duration 2s -Rate 15 -TextfileDirectory $dir -Realm canaryhosted -ScriptBlock { if ($args[0] -le 2) { 'same' } else { \"r$($args[0])\" } }; " +
                    "$deadline = (Get-Date).AddSeconds(20); " +
                    "do { $q = $sandbox | Test-DuriCanaryQuorum -Realm canaryhosted -MinimumSamples 10 } while ($q.Samples -ne $r.Samples -and (Get-Date) -lt $deadline -and -not (Start-Sleep -Milliseconds 250)); " +
                    "$r; $q; $sandbox | Test-DuriCanaryQuorum -Realm canaryhosted -MinimumSamples 10 -MinimumUniqueRatio 0.99 -Quiet; $sandbox | Test-DuriCanaryQuorum -Realm canaryhosted -MinimumSamples 10 -Quiet",
                    Vars());
                Assert.Empty(run.AllErrors);
                var sampled = (CanaryResult)run.Output[0].BaseObject;
                var verdict = (CanaryQuorumResult)run.Output[1].BaseObject;
                Assert.InRange(sampled.Samples, 15, 30);
                Assert.True(verdict.Passed, verdict.Reason);
                Assert.Equal("prometheus", verdict.Source);
                Assert.Equal(sampled.Samples, verdict.Samples);
                // Samples 1 and 2 answer alike: one fewer distinct answer than samples.
                Assert.Equal((sampled.Samples - 1.0) / sampled.Samples, verdict.UniqueRatio, 12);
                Assert.Equal(Sandbox.Prometheus.Uri, verdict.Prometheus!.Uri);
                Assert.Equal(new object[] { false, true }, run.Output.Skip(2).Select(o => o.BaseObject));
            }
            finally
            {
                File.Delete(file);
            }
        }

        [Fact]
        public void NoDataFailsClosed()
        {
            var run = Session.Run("$sandbox | Test-DuriCanaryQuorum -Realm canarynone; $sandbox | Test-DuriCanaryQuorum -Realm canarynone -Quiet", Vars());
            Assert.Empty(run.AllErrors);
            var verdict = (CanaryQuorumResult)run.Output[0].BaseObject;
            Assert.False(verdict.Passed);
            Assert.Contains("no canary run has published for this realm", verdict.Reason, StringComparison.Ordinal);
            Assert.Equal(false, run.Output[1].BaseObject);
        }

        [Fact]
        public void AnUnreachableServerIsAnErrorOrFalseWithQuiet()
        {
            var uri = $"http://127.0.0.1:{LoopbackPort.Closed()}/";
            var loud = Session.Run($"Test-DuriCanaryQuorum -Uri {uri} -TimeoutSec 2", Vars());
            Assert.Empty(loud.Output);
            Assert.Equal("PrometheusUnreachable", Id(loud.Terminating!));
            var quiet = Session.Run($"Test-DuriCanaryQuorum -Uri {uri} -TimeoutSec 2 -Quiet", Vars());
            Assert.Equal(false, Assert.Single(quiet.Output).BaseObject);
        }

        [Theory]
        [InlineData("-MinimumSamples 0")]
        [InlineData("-MinimumUniqueRatio -0.1")]
        [InlineData("-MaximumAge 0")]
        [InlineData("-Realm 'a\"b'")]
        public void BadInputIsRejectedAtBinding(string arguments)
        {
            var run = Session.Run("$sandbox | Test-DuriCanaryQuorum " + arguments, Vars());
            Assert.Empty(run.Output);
            Assert.Equal("ParameterArgumentValidationError", Id(run.Terminating!));
        }
    }
}
