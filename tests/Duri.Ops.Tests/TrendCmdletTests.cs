using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using Duri.Ops.Commands;
using Duri.Ops.Engine.Trends;
using Duri.Ops.Tests.Support;
using Xunit;
using static Duri.Ops.Tests.ErrorIds;

namespace Duri.Ops.Tests
{
    /// <summary>Parameters that are refused before any server is asked.</summary>
    public sealed class TrendCmdletInputTests : IDisposable
    {
        private readonly PowerShellSession _session = new PowerShellSession();

        [Theory]
        [InlineData("Watch-DuriLyapunovTrend -Duration 0", "TrendInvalidDuration")]
        [InlineData("Watch-DuriLyapunovTrend -Duration -5", "TrendInvalidDuration")]
        [InlineData("Watch-DuriLyapunovTrend -Interval 0s", "TrendInvalidInterval")]
        [InlineData("Watch-DuriLyapunovTrend -Interval -1", "TrendInvalidInterval")]
        [InlineData("Get-DuriLyapunovTrend -Since 0", "TrendInvalidRange")]
        [InlineData("Get-DuriLyapunovTrend -Since 15m -Step 0s", "TrendInvalidStep")]
        [InlineData("Get-DuriLyapunovTrend -Since 1d -Step 1s", "TrendTooManyPoints")]
        [InlineData("Get-DuriLyapunovTrend -Threshold ([double]::NaN)", "TrendInvalidOption")]
        public void Bad_durations_and_options_are_terminating_errors_with_their_id(string script, string id)
        {
            // An address nothing listens on: these must fail before any call.
            var run = _session.Run(script + " -Uri http://127.0.0.1:9");
            Assert.NotNull(run.Terminating);
            Assert.Equal(id, Id(run.Terminating!));
            Assert.Equal(ErrorCategory.InvalidArgument, run.Terminating!.CategoryInfo.Category);
            Assert.Empty(run.Output);
        }

        [Theory]
        [InlineData("Watch-DuriLyapunovTrend -Confidence 1")]
        [InlineData("Get-DuriLyapunovTrend -MinimumSamples 2")]
        [InlineData("Get-DuriLyapunovTrend -MinimumSlope -0.1")]
        public void Out_of_range_options_are_refused_at_binding(string script)
        {
            var run = _session.Run(script + " -Uri http://127.0.0.1:9");
            Assert.Equal("ParameterArgumentValidationError", Id(run.Terminating!));
        }

        public void Dispose() => _session.Dispose();
    }

    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class TrendCmdletTests : SandboxSessionTest
    {
        public TrendCmdletTests(SandboxFixture fixture)
            : base(fixture)
        {
        }

        private Hashtable Vars(string query) => new Hashtable { ["sandbox"] = Sandbox, ["query"] = query };

        private LyapunovWriter Rising(string realm) => new LyapunovWriter(Sandbox.TextfileDirectory, realm, s => 0.05 + 0.01 * s);

        private void WaitForSeries(string query, int count = 1)
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (DateTime.UtcNow < deadline)
            {
                var run = Session.Run("@($sandbox | Invoke-DuriQuery $query).Count", Vars(query));
                if ((int)run.Output.Single().BaseObject == count) return;
                Thread.Sleep(250);
            }
            throw new TimeoutException($"{query} did not give {count} series within 15 s.");
        }

        [Fact]
        public void A_watch_writes_one_sample_per_poll_progress_and_then_the_summary()
        {
            using var writer = Rising("cmdlet-watch");
            WaitForSeries(writer.Query);
            var run = Session.Run("$sandbox | Watch-DuriLyapunovTrend -Query $query -Duration 7s -Interval 1s -MinimumSamples 5", Vars(writer.Query));

            Assert.Null(run.Terminating);
            var samples = run.Output.Take(run.Output.Count - 1).Select(o => (TrendSample)o.BaseObject).ToList();
            Assert.InRange(samples.Count, 7, 8);
            Assert.All(samples, s => Assert.Equal(TrendPollStatus.Value, s.Status));
            Assert.Equal(Enumerable.Range(1, samples.Count), samples.Select(s => s.Samples));
            Assert.Equal(TrendVerdict.InsufficientData, samples[3].Verdict);
            Assert.Equal(TrendVerdict.Rising, samples.Last().Verdict);

            var summary = (TrendSummary)run.Output.Last().BaseObject;
            Assert.Equal(samples.Count, summary.Samples);
            Assert.Equal(0, summary.Missing);
            Assert.Equal(TrendVerdict.Rising, summary.Verdict);
            Assert.Equal(samples[0].Value, summary.First);
            Assert.Equal(samples.Last().Value, summary.Last);
            Assert.Equal(samples.Count, summary.Sparkline.Length);
            Assert.Equal(writer.Query, summary.Query);
            Assert.Same(Sandbox.Prometheus, summary.Prometheus);
            Assert.False(summary.Acceptable);
            Assert.Contains(run.Progress, p => p.RecordType == ProgressRecordType.Processing && p.StatusDescription.Contains("of 7s") && p.StatusDescription.Contains("value "));
            Assert.Contains(run.Progress, p => p.RecordType == ProgressRecordType.Completed);
            Assert.Empty(run.Warnings);
        }

        [Fact]
        public void Polls_without_a_series_are_Missing_and_the_verdict_is_InsufficientData()
        {
            var run = Session.Run("$sandbox | Watch-DuriLyapunovTrend -Query 'duri_lyapunov_v{metric_realm=\"nowhere\"}' -Duration 2s -Interval 1s", Vars(""));
            var samples = run.Output.Select(o => o.BaseObject).OfType<TrendSample>().ToList();
            Assert.InRange(samples.Count, 3, 4);
            Assert.All(samples, s => Assert.Equal(TrendPollStatus.NoSeries, s.Status));
            var summary = (TrendSummary)run.Output.Last().BaseObject;
            Assert.Equal(0, summary.Samples);
            Assert.Equal(samples.Count, summary.Missing);
            Assert.Equal(TrendVerdict.InsufficientData, summary.Verdict);
            Assert.Contains(run.Warnings, w => w.Contains("No trend verdict"));
        }

        [Fact]
        public void Several_series_are_Missing_and_a_warning_names_the_labels_that_differ()
        {
            using var a = new LyapunovWriter(Sandbox.TextfileDirectory, "cmdlet-several", s => 0.05, "several-a", new[] { new KeyValuePair<string, string>("pod", "canary-1") });
            using var b = new LyapunovWriter(Sandbox.TextfileDirectory, "cmdlet-several", s => 0.06, "several-b", new[] { new KeyValuePair<string, string>("pod", "canary-2") });
            WaitForSeries(a.Query, 2);
            var run = Session.Run("$sandbox | Watch-DuriLyapunovTrend -Query $query -Duration 2s -Interval 1s", Vars(a.Query));

            var samples = run.Output.Select(o => o.BaseObject).OfType<TrendSample>().ToList();
            Assert.All(samples, s => Assert.Equal(TrendPollStatus.SeveralSeries, s.Status));
            var summary = (TrendSummary)run.Output.Last().BaseObject;
            Assert.Equal(samples.Count, summary.Missing);
            var warning = Assert.Single(run.Warnings, w => w.Contains("matched several series"));
            Assert.Contains("pod=\"canary-1\"", warning);
            Assert.Contains("pod=\"canary-2\"", warning);
            Assert.Contains("Narrow -Query", warning);

            var history = Session.Run("$sandbox | Get-DuriLyapunovTrend -Query $query -Since 5s -Step 1s", Vars(a.Query));
            var fromHistory = history.Single<TrendSummary>();
            Assert.Equal(0, fromHistory.Samples);
            Assert.Contains(history.Warnings, w => w.Contains("pod=\"canary-1\"") && w.Contains("Narrow -Query"));
        }

        [Fact]
        public void A_server_that_goes_away_is_counted_and_reported_and_the_watch_runs_to_the_end()
        {
            using var writer = Rising("cmdlet-outage");
            WaitForSeries(writer.Query);
            var proxy = new FaultProxy(Sandbox.PrometheusUri);
            using var stopper = new Timer(_ => proxy.Dispose(), null, 2500, Timeout.Infinite);
            var run = Session.Run("Watch-DuriLyapunovTrend -Uri $uri -Query $query -Duration 5s -Interval 1s -MinimumSamples 3",
                new Hashtable { ["uri"] = proxy.Uri, ["query"] = writer.Query });

            Assert.Null(run.Terminating);
            var samples = run.Output.Select(o => o.BaseObject).OfType<TrendSample>().ToList();
            Assert.InRange(samples.Count, 6, 7);
            var summary = (TrendSummary)run.Output.Last().BaseObject;
            int failed = samples.Count(s => s.Status == TrendPollStatus.Failed);
            Assert.InRange(failed, 2, 4);
            Assert.Equal(failed, summary.FailedPolls);
            Assert.Equal(failed, summary.Missing);
            Assert.Single(run.Warnings, w => w.StartsWith("The poll at") && w.Contains("goes on"));
            Assert.Contains(run.Warnings, w => w.Contains($"{failed} of {samples.Count} polls failed"));
        }

        [Fact]
        public void Get_DuriLyapunovTrend_summarizes_history_without_waiting()
        {
            using var writer = Rising("cmdlet-history");
            WaitForSeries(writer.Query);
            Thread.Sleep(8000);
            var run = Session.Run("$sandbox | Get-DuriLyapunovTrend -Query $query -Since 8s -Step 1s -MinimumSamples 5", Vars(writer.Query));
            var summary = run.Single<TrendSummary>();
            Assert.Equal(TrendVerdict.Rising, summary.Verdict);
            Assert.InRange(summary.Samples + summary.Missing, 8, 9);
            Assert.InRange(summary.Samples, 6, 9);
            Assert.Equal(summary.Samples + summary.Missing, summary.Sparkline.Length);
            Assert.Same(Sandbox.Prometheus, summary.Prometheus);
            Assert.Empty(run.Warnings);
        }

        [Fact]
        public void Ctrl_C_ends_the_watch_shows_the_summary_on_the_console_and_leaves_it_in_the_variable()
        {
            using var writer = Rising("cmdlet-stop");
            WaitForSeries(writer.Query);
            var host = new RecordingHost();
            var state = InitialSessionState.CreateDefault2();
            state.ImportPSModule(new[] { typeof(WatchDuriLyapunovTrendCommand).Assembly.Location });
            using var runspace = RunspaceFactory.CreateRunspace(host, state);
            runspace.Open();
            runspace.SessionStateProxy.SetVariable("sandbox", Sandbox);
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript($"$sandbox | Watch-DuriLyapunovTrend -Query '{writer.Query}' -Duration 60s -Interval 1s -SummaryVariable stopped");
            var output = new PSDataCollection<PSObject>();
            var started = DateTime.UtcNow;
            ps.BeginInvoke<PSObject, PSObject>(null, output);
            while (output.Count < 3 && DateTime.UtcNow - started < TimeSpan.FromSeconds(20)) Thread.Sleep(100);
            ps.Stop();
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));

            var summary = Assert.IsType<TrendSummary>(runspace.SessionStateProxy.GetVariable("stopped"));
            Assert.InRange(summary.Samples, 3, 5);
            Assert.Equal(writer.Query, summary.Query);
            Assert.Equal(TrendVerdict.InsufficientData, summary.Verdict);
            Assert.Contains(host.Lines, l => l.StartsWith("Trend watch stopped after") && l.Contains($"InsufficientData over {summary.Samples} samples (0 missing, 0 failed polls)"));
            Assert.Contains(host.Lines, l => l.Trim() == summary.Sparkline);
            Assert.Contains(host.Lines, l => l.Contains(summary.Reason));
        }
    }
}
