using System;
using System.Management.Automation;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">The L4 dry run (the runbook's l4_dryrun_decision.sh): GO or NO-GO from the preconditions and the gates.</para>
    /// <para type="description">Checks three preconditions (TargetsHealthy: every active scrape target is up; LastReloadSuccessful: the server's last configuration reload succeeded; HeartbeatOk: exactly one heartbeat series in the realm, and it is Ok) and judges every gate of the policy as Get-DuriGateStatus does: every gate and the heartbeat in one query at one evaluation time, concurrently with reading the targets and the runtime information. The decision is GO only when every precondition and every gate passed; anything else, including a server that cannot be reached, a timeout, no data, stale data, NaN or several series, is NO-GO, and Reasons holds one line per failing precondition or gate saying what is wrong and what to check. The decision pipes from a connection or a sandbox. -Quiet returns one boolean ($true for GO). -FailOnNoGo makes NO-GO the terminating error L4DryRunNoGo (after writing the decision, unless -Quiet), for unattended runbooks.</para>
    /// </summary>
    /// <example>
    /// <code>Test-DuriL4DryRun -Realm prod</code>
    /// <para>Shows GO or NO-GO for the prod realm, with the failing preconditions and gates as reasons.</para>
    /// </example>
    /// <example>
    /// <code>Start-DuriSandbox -ScrapeInterval 1s | Test-DuriL4DryRun -Quiet</code>
    /// <para>Returns $true only when the sandbox passes every precondition and gate.</para>
    /// </example>
    /// <example>
    /// <code>Test-DuriL4DryRun -PolicyPath ./policy/l4-dryrun.yml -FailOnNoGo | Out-Null; ./promote.ps1</code>
    /// <para>An unattended runbook step: stops with the error L4DryRunNoGo, naming each failing gate, before promoting on NO-GO.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "DuriL4DryRun", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(L4DryRunDecision), typeof(bool))]
    public sealed class TestDuriL4DryRunCommand : DuriGateCmdlet
    {
        /// <summary><para type="description">Return only $true (GO) or $false (NO-GO).</para></summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        /// <summary><para type="description">Make NO-GO the terminating error L4DryRunNoGo, whose message lists every reason.</para></summary>
        [Parameter]
        public SwitchParameter FailOnNoGo { get; set; }

        /// <summary><para type="description">The heartbeat's changes() window when HeartbeatOk is computed rather than read from the duri_heartbeat_ok rule. Default: the canonical 6m.</para></summary>
        [Parameter]
        [DurationTransformation]
        [ValidatePositiveDuration]
        public TimeSpan? HeartbeatWindow { get; set; }

        /// <summary><para type="description">The largest heartbeat scrape age that counts as fresh when HeartbeatOk is computed. Default: the canonical 75s.</para></summary>
        [Parameter]
        [DurationTransformation]
        [ValidatePositiveDuration]
        public TimeSpan? HeartbeatFreshness { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var policy = Policy;
            var heartbeat = new HeartbeatQueryOptions();
            if (HeartbeatWindow.HasValue) heartbeat.Window = HeartbeatWindow.Value;
            if (HeartbeatFreshness.HasValue) heartbeat.Freshness = HeartbeatFreshness.Value;
            WriteVerbose($"L4 dry run of {policy.Source} for realm {policy.Realm} on {connection.Uri}");
            var decision = Await(token => L4DryRun.DecideAsync(connection, policy, heartbeat, CallTimeout, token));
            foreach (var reason in decision.Reasons) WriteVerbose(reason);
            WriteObject(Quiet ? (object)decision.IsGo : decision);
            if (!decision.IsGo && FailOnNoGo)
            {
                ThrowTerminatingError(Error("L4DryRunNoGo", ErrorCategory.InvalidResult, decision,
                    $"L4 dry run on {connection.Uri} (realm {policy.Realm}): NO-GO. " + string.Join(" ", decision.Reasons)));
            }
        }
    }
}
