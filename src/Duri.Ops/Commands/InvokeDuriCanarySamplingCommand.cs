using System;
using System.Collections.ObjectModel;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Canary;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Samples a canary at a fixed rate for a duration and counts how many answers are distinct; publishes the counts for node_exporter.</para>
    /// <para type="description">The runbook's generate_canary_samples.sh. Sends -Rate samples per second for -Duration: a GET of -Uri, or a run of -ScriptBlock (which gets the sample number as $args[0]). Each successful answer is fingerprinted with SHA-256: of the response body, or of the script block's output (strings as UTF-8, byte arrays as they are, other objects as their CLIXML). A sample that takes longer than -TimeoutSec, gets HTTP status 400 or above, fails in transport, or whose script block throws is a failure, not a sample. The result counts Samples, Unique fingerprints, UniqueRatio (Unique / Samples), Failures (and FailureReasons), Planned and Sent samples, and QuorumMet against -MinimumSamples and -MinimumUniqueRatio (the runbook's 0.92).</para>
    /// <para type="description">Sample k is due at start + k / rate, so the schedule does not drift. -Concurrency bounds how many HTTP samples wait for an answer at once; when all are busy the next sample waits, and Sent falls short of Planned. A script block always runs on the pipeline thread, one at a time, because a PowerShell runspace runs one thing at a time: its concurrency is 1, a script block slower than 1/Rate lowers the rate actually reached, and one that overruns -TimeoutSec counts as a failure but cannot be interrupted, so the next sample starts after it ends.</para>
    /// <para type="description">With -TextfileDirectory the counts go to duri_canary_&lt;realm&gt;.prom there, for node_exporter's textfile collector: duri_canary_unique_ratio, duri_canary_samples_total, duri_canary_failures_total and duri_canary_updated_timestamp_seconds, labelled metric_realm="&lt;Realm&gt;". The file is replaced atomically before the first sample, every 5 seconds, and at the end; Test-DuriCanaryQuorum reads it back through Prometheus. Ctrl+C stops sampling, abandons the samples in flight, publishes the partial counts and prints them on the host (PowerShell lets a stopped command write nothing to the pipeline). -WhatIf shows the plan and neither samples nor writes.</para>
    /// </summary>
    /// <example>
    /// <code>Invoke-DuriCanarySampling -Uri https://canary.example.com/api/id -Duration 300s -Rate 2 -TextfileDirectory /var/lib/prometheus/node-exporter</code>
    /// <para>Samples the canary twice a second for five minutes, publishing the counts for the prod realm, and outputs the result.</para>
    /// </example>
    /// <example>
    /// <code>Invoke-DuriCanarySampling -ScriptBlock { [guid]::NewGuid().Guid } -Duration 3s -Rate 20 -MinimumSamples 50</code>
    /// <para>Samples a script block 60 times; every answer differs, so UniqueRatio is 1 and QuorumMet is true.</para>
    /// </example>
    /// <example>
    /// <code>Invoke-DuriCanarySampling -Uri http://localhost:8080/ -Duration 60s | Test-DuriCanaryQuorum</code>
    /// <para>Samples for a minute and checks the quorum on the result itself.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "DuriCanarySampling", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = UriSet)]
    [OutputType(typeof(CanaryResult))]
    public sealed class InvokeDuriCanarySamplingCommand : DuriCmdlet
    {
        private const string UriSet = "Uri";
        private const string ScriptBlockSet = "ScriptBlock";
        private const string ScriptBlockTarget = "script block";

        /// <summary>Set when work is queued for the pipeline thread, so a script-block sample does not wait for the next poll.</summary>
        private AutoResetEvent? _pipelineWork;

        /// <summary><para type="description">How long to sample, such as 300s or 5m; more than zero.</para></summary>
        [Parameter(Mandatory = true)]
        [DurationTransformation]
        [ValidatePositiveDuration]
        public TimeSpan Duration { get; set; }

        /// <summary><para type="description">The canary's URL (http or https); each sample is one GET, sent with Cache-Control: no-cache.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = UriSet)]
        [ValidateCanaryUri]
        public Uri? Uri { get; set; }

        /// <summary><para type="description">A script block whose output is one sample; it runs on the pipeline thread with the sample number as $args[0]. Throwing makes the sample a failure.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = ScriptBlockSet)]
        public ScriptBlock? ScriptBlock { get; set; }

        /// <summary><para type="description">Samples per second, from 0.001 to 1000. Default: 1.</para></summary>
        [Parameter]
        [ValidateRange(0.001, 1000.0)]
        public double Rate { get; set; } = 1;

        /// <summary><para type="description">The most HTTP samples waiting for an answer at once (-Uri only; a script block runs one at a time). Default: 4.</para></summary>
        [Parameter(ParameterSetName = UriSet)]
        [ValidateRange(1, 256)]
        public int Concurrency { get; set; } = 4;

        /// <summary><para type="description">The limit in seconds for one sample; a sample that takes longer is a failure. Default: 10.</para></summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 10;

        /// <summary><para type="description">node_exporter's textfile directory (its --collector.textfile.directory); the counts are published to duri_canary_&lt;realm&gt;.prom there. Without it nothing is published.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? TextfileDirectory { get; set; }

        /// <summary><para type="description">Create -TextfileDirectory when it does not exist.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary><para type="description">The metric_realm label of the published metrics; a plain word without quotes or line breaks. Default: prod.</para></summary>
        [Parameter]
        [ValidateRealm]
        public string Realm { get; set; } = HeartbeatWriter.DefaultRealm;

        /// <summary><para type="description">The fewest successful samples for QuorumMet. Default: 100, so that one duplicate moves the ratio by at most one percentage point.</para></summary>
        [Parameter]
        [ValidateRange(1L, long.MaxValue)]
        public long MinimumSamples { get; set; } = CanaryQuorum.DefaultMinimumSamples;

        /// <summary><para type="description">The lowest UniqueRatio for QuorumMet, within [0, 1]. Default: 0.92, the runbook's.</para></summary>
        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double MinimumUniqueRatio { get; set; } = CanaryQuorum.DefaultMinimumUniqueRatio;

        protected override void ProcessRecord()
        {
            var options = new CanarySamplerOptions
            {
                Rate = Rate,
                Duration = Duration,
                Concurrency = ParameterSetName == ScriptBlockSet ? 1 : Concurrency,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                Target = ParameterSetName == ScriptBlockSet ? ScriptBlockTarget : Uri!.ToString(),
                Realm = Realm,
                MinimumSamples = MinimumSamples,
                MinimumUniqueRatio = MinimumUniqueRatio,
            };
            string? problem = options.DescribeInvalid();
            if (problem != null)
            {
                ThrowTerminatingError(Error("CanaryParameterInvalid", ErrorCategory.InvalidArgument, options, problem));
            }

            string? directory = TextfileDirectory == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(TextfileDirectory);
            bool createDirectory = directory != null && !Directory.Exists(directory);
            if (createDirectory && !Force)
            {
                ThrowTerminatingError(Error("CanaryDirectoryNotFound", ErrorCategory.ObjectNotFound, directory,
                    $"The textfile directory '{directory}' does not exist. Give node_exporter's --collector.textfile.directory, or add -Force to create it."));
            }
            string plan = $"{options.Planned} sample(s) over {Display.Duration(Duration)} at {Rate} per second";
            string path = directory == null ? string.Empty : Path.Combine(directory, CanaryPublisher.FileNameFor(Realm));
            bool approved = directory == null
                ? ShouldProcess(options.Target, $"Send {plan}")
                : ShouldProcess(path, $"Sample {options.Target} ({plan}) and publish the counts for realm '{Realm}'{(createDirectory ? ", creating the directory" : string.Empty)}");
            if (!approved) return;

            CanaryPublisher? publisher = null;
            try
            {
                if (directory != null)
                {
                    if (createDirectory) Directory.CreateDirectory(directory);
                    publisher = new CanaryPublisher(directory, Realm);
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                ThrowTerminatingError(Error("CanaryWriteFailed", ErrorCategory.WriteError, directory, $"Could not create '{directory}': {e.Message}", e));
            }

            WriteVerbose($"Sampling {options.Target}: {plan}, at most {options.Concurrency} at a time, {TimeoutSec}s per sample"
                + (publisher == null ? "; not publishing." : $"; publishing to '{publisher.Path}' every {Display.Duration(options.PublishInterval)}."));
            CanaryHttpTarget? http = ParameterSetName == UriSet ? new CanaryHttpTarget(Uri!, Concurrency) : null;
            _pipelineWork = new AutoResetEvent(false);
            CanaryResult result;
            try
            {
                CanaryProbe probe = http != null ? http.SampleAsync : new CanaryProbe(RunScriptBlockAsync);
                var activity = $"Canary sampling {options.Target}";
                result = WaitForSampling(CanarySampler.RunAsync(probe, options, publisher, snapshot => QueueForPipelineThread(() => WriteProgress(Progress(activity, snapshot))), StopToken));
                if (!StopToken.IsCancellationRequested) WriteProgress(new ProgressRecord(4, activity, "done") { RecordType = ProgressRecordType.Completed });
            }
            catch (CanaryPublishException e)
            {
                ThrowTerminatingError(Error("CanaryWriteFailed", ErrorCategory.WriteError, (object?)e.Partial ?? e.Path,
                    $"{e.Message} Sampling stopped{(e.Partial == null ? " before the first sample" : $" after {e.Partial.Samples} sample(s)")}; the previous file is unchanged. Check free space and that the directory is writable.", e));
                return;
            }
            finally
            {
                http?.Dispose();
                _pipelineWork.Dispose();
                _pipelineWork = null;
            }

            if (StopToken.IsCancellationRequested)
            {
                ShowOnHost($"Canary sampling stopped: {result}" + (result.Path.Length == 0 ? "." : $"; published to '{result.Path}'."));
                throw new PipelineStoppedException();
            }
            foreach (var reason in result.FailureReasons)
            {
                WriteVerbose($"{reason.Value} failure(s): {reason.Key}");
            }
            if (result.Failures > 0) WriteVerbose("Last failure: " + result.LastFailure);
            WriteObject(result);
        }

        /// <summary>
        /// Waits for the sampler while running what it queued for the pipeline thread (script-block samples, progress).
        /// After Ctrl+C it keeps waiting, briefly, for the sampler to publish the partial counts.
        /// </summary>
        private CanaryResult WaitForSampling(Task<CanaryResult> sampling)
        {
            var handles = new[] { ((IAsyncResult)sampling).AsyncWaitHandle, _pipelineWork! };
            while (!sampling.IsCompleted)
            {
                WaitHandle.WaitAny(handles, 250);
                DrainUnlessStopping();
            }
            DrainUnlessStopping();
            return sampling.GetAwaiter().GetResult();
        }

        private void DrainUnlessStopping()
        {
            try
            {
                DrainPipelineThreadWork();
            }
            catch (PipelineStoppedException)
            {
                // Progress written while stopping: the counts are still to be published, so keep waiting.
            }
        }

        private void QueueForPipelineThread(Action action)
        {
            OnPipelineThread(action);
            try
            {
                _pipelineWork?.Set();
            }
            catch (ObjectDisposedException)
            {
                // The run is over; whatever was queued late is dropped with the command.
            }
        }

        private Task<byte[]> RunScriptBlockAsync(long sampleNumber, CancellationToken cancellationToken)
        {
            var completion = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            var registration = cancellationToken.Register(() => completion.TrySetCanceled());
            QueueForPipelineThread(() =>
            {
                try
                {
                    // Timed out (or stopped) while waiting for the pipeline thread: the sample is already a failure.
                    if (cancellationToken.IsCancellationRequested) return;
                    completion.TrySetResult(ScriptOutputBytes(ScriptBlock!.Invoke(sampleNumber)));
                }
                catch (Exception e)
                {
                    var error = e is RuntimeException runtime && runtime.ErrorRecord != null ? runtime.ErrorRecord.ToString() : e.Message;
                    completion.TrySetException(new CanarySampleFailedException("script error", "the script block failed: " + error, e));
                }
                finally
                {
                    registration.Dispose();
                }
            });
            return completion.Task;
        }

        /// <summary>What is fingerprinted of a script block's output: strings as UTF-8, byte arrays as they are, other objects as CLIXML (their content, not their type name).</summary>
        internal static byte[] ScriptOutputBytes(Collection<PSObject> output)
        {
            using (var bytes = new MemoryStream())
            {
                var utf8 = new UTF8Encoding(false);
                foreach (var item in output)
                {
                    object? value = item?.BaseObject;
                    byte[] part = value == null ? Array.Empty<byte>()
                        : value is byte[] raw ? raw
                        : value is string text ? utf8.GetBytes(text)
                        : utf8.GetBytes(PSSerializer.Serialize(item));
                    bytes.Write(part, 0, part.Length);
                    // A record separator between items, so that ("ab", "c") and ("a", "bc") differ.
                    bytes.WriteByte(0x1e);
                }
                return bytes.ToArray();
            }
        }

        private ProgressRecord Progress(string activity, CanaryResult snapshot)
        {
            double elapsed = snapshot.Duration.TotalSeconds, total = snapshot.RequestedDuration.TotalSeconds;
            return new ProgressRecord(4, activity,
                $"{snapshot.Samples} samples, {snapshot.Unique} unique (ratio {Display.Value(snapshot.UniqueRatio)}), {snapshot.Failures} failures; {snapshot.Sent} of {snapshot.Planned} sent")
            {
                PercentComplete = (int)Math.Min(100, 100 * elapsed / total),
                SecondsRemaining = (int)Math.Max(0, Math.Ceiling(total - elapsed)),
            };
        }

        private void ShowOnHost(string line)
        {
            try
            {
                Host?.UI?.WriteLine(line);
            }
            catch (Exception e) when (e is HostException || e is NotImplementedException || e is PipelineStoppedException)
            {
                // A host without a console (a runspace hosted in a service) has nowhere to show it; the textfile still has it.
            }
        }
    }

    /// <summary>Rejects, at binding, a canary URI that is not an absolute http or https URI, or that carries credentials.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class ValidateCanaryUriAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            string? problem = CanaryHttpTarget.DescribeInvalidUri((arguments is PSObject pso ? pso.BaseObject : arguments) as Uri);
            if (problem != null) throw new ValidationMetadataException(problem);
        }
    }
}
