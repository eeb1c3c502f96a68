using System;
using System.Management.Automation;
using Duri.Ops.Engine.Canary;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Checks the canary quorum: enough successful samples and a unique ratio at or above the minimum.</para>
    /// <para type="description">The runbook's CI check canary-quorum-pass. Reads what Invoke-DuriCanarySampling published for -Realm through Prometheus (duri_canary_samples_total, duri_canary_unique_ratio, duri_canary_failures_total and duri_canary_updated_timestamp_seconds), or takes a piped sampling result. It passes only with at least -MinimumSamples successful samples and a unique ratio of at least -MinimumUniqueRatio. It fails closed, with a Reason: no canary series for the realm, several series (naming the labels in which they differ), a NaN ratio, counts older than -MaximumAge, or a result from a run stopped short of the minimum. Failures (timeouts, HTTP errors) are reported but are not samples, so they neither help nor hurt the ratio. One result (Passed, Samples, UniqueRatio, Failures, Reason, Source, Age); -Quiet returns only $true or $false, false also when the server cannot be reached.</para>
    /// </summary>
    /// <example>
    /// <code>Test-DuriCanaryQuorum -Realm prod</code>
    /// <para>Checks the prod canary's published counts against 100 samples and a ratio of 0.92.</para>
    /// </example>
    /// <example>
    /// <code>if (-not ($sandbox | Test-DuriCanaryQuorum -MinimumSamples 50 -Quiet)) { throw 'canary quorum not met' }</code>
    /// <para>A runbook guard on a sandbox's Prometheus.</para>
    /// </example>
    /// <example>
    /// <code>Invoke-DuriCanarySampling -ScriptBlock { [guid]::NewGuid().Guid } -Duration 2s -Rate 10 | Test-DuriCanaryQuorum -MinimumSamples 15</code>
    /// <para>Checks a sampling result directly, without Prometheus.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "DuriCanaryQuorum", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(CanaryQuorumResult), typeof(bool))]
    public sealed class TestDuriCanaryQuorumCommand : DuriPrometheusCmdlet
    {
        private const string ResultSet = "Result";

        /// <summary><para type="description">A result of Invoke-DuriCanarySampling to check instead of the published counts.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ResultSet)]
        public CanaryResult? InputObject { get; set; }

        /// <summary><para type="description">The metric_realm whose published canary counts are checked. Default: prod.</para></summary>
        [Parameter(Position = 0, ParameterSetName = UriSet)]
        [Parameter(Position = 0, ParameterSetName = ConnectionSet)]
        [ValidateRealm]
        public string Realm { get; set; } = HeartbeatWriter.DefaultRealm;

        /// <summary><para type="description">The fewest successful samples that pass. Default: 100.</para></summary>
        [Parameter]
        [ValidateRange(1L, long.MaxValue)]
        public long MinimumSamples { get; set; } = CanaryQuorum.DefaultMinimumSamples;

        /// <summary><para type="description">The lowest unique ratio that passes, within [0, 1]. Default: 0.92, the runbook's.</para></summary>
        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double MinimumUniqueRatio { get; set; } = CanaryQuorum.DefaultMinimumUniqueRatio;

        /// <summary><para type="description">The oldest published counts that still count, such as 15m; older ones fail, since the textfile outlives its run. Default: 15m, the promotion gate's window.</para></summary>
        [Parameter(ParameterSetName = UriSet)]
        [Parameter(ParameterSetName = ConnectionSet)]
        [DurationTransformation]
        [ValidatePositiveDuration]
        public TimeSpan MaximumAge { get; set; } = CanaryQuorum.DefaultMaximumAge;

        /// <summary><para type="description">Return only $true or $false.</para></summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecord()
        {
            CanaryQuorumResult verdict;
            if (ParameterSetName == ResultSet)
            {
                verdict = CanaryQuorum.Evaluate(InputObject!, MinimumSamples, MinimumUniqueRatio);
            }
            else
            {
                var connection = ResolveConnection();
                WriteVerbose($"Reading the {Realm} canary counts from {connection.Uri}");
                try
                {
                    verdict = Await(token => CanaryQuorum.ReadAsync(connection, Realm, MinimumSamples, MinimumUniqueRatio, MaximumAge, CallTimeout, token));
                }
                catch (PrometheusException e) when (Quiet)
                {
                    WriteVerbose(e.Message);
                    WriteObject(false);
                    return;
                }
                catch (PrometheusException e)
                {
                    ThrowTerminatingError(ErrorFor(e, connection));
                    return;
                }
            }
            WriteVerbose((verdict.Passed ? "Quorum met: " : "Quorum not met: ") + verdict.Reason);
            WriteObject(Quiet ? (object)verdict.Passed : verdict);
        }
    }
}
