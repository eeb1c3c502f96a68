using System;
using System.Management.Automation;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">The promotion / rollback gate: Promote, Rollback or Hold from the gates' history, with the evidence.</para>
    /// <para type="description">Evaluates every gate of the policy over the window -Since back from now (or -At), with range queries at the policy's step (15s by default) and timestamp() of each, judging every step as Get-DuriGateStatus judges an instant. The steps are t_i = window start + i x step, the end rounded down to a whole step. Definitions, exactly: step i HOLDS when every gate is Pass at t_i; a step without usable data (NoData, Stale, NaN, OutOfRange, MultipleSeries, QueryError) never holds. A STREAK is a run of consecutive holding steps t_a..t_b and has lasted t_b - t_a, as an alert's "for" (one step has lasted 0; 61 steps at 15s have lasted 15m). SUSTAINED for D: the streak ending at the latest step has lasted at least D (promotion.sustained, 15m). A VIOLATION RUN is a run of consecutive steps at each of which at least rollback.min_violated_gates gates (2) are Violated, and it has lasted t_b - t_a; a single step with fewer ends it. CONSECUTIVE for D: a violation run within the window has lasted at least D (rollback.consecutive, 3m). Missing data counts towards a violation run only when the policy sets rollback.count_missing_data: true; by default it holds, so an idle service is not rolled back for having no data. The verdict is Rollback when a violation run was consecutive for the span (RollbackGates, RollbackFrom, RollbackTo) or the trend engine finds the trend gate (lyapunov) Rising over rollback.trend_window (Trend); otherwise Promote when the latest streak is sustained (StreakStart, StreakLength); otherwise Hold, saying what is missing (Missing) and how much longer every gate must pass (Remaining).</para>
    /// </summary>
    /// <example>
    /// <code>Get-DuriPromotionDecision -Realm prod -Since 30m</code>
    /// <para>Promote, Rollback or Hold for prod over the last 30 minutes, with the streak, the failing gates or the trend test as evidence.</para>
    /// </example>
    /// <example>
    /// <code>Get-DuriPromotionDecision -Since 1h -At '2026-11-28T14:00:00Z' | Select-Object -ExpandProperty Gates</code>
    /// <para>Replays the decision as it stood at 14:00 UTC and shows each gate's passing, violated and missing steps.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "DuriPromotionDecision", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(PromotionDecision))]
    public sealed class GetDuriPromotionDecisionCommand : DuriGateCmdlet
    {
        /// <summary><para type="description">How much history to evaluate, back from now or -At, such as 30m or 2h. Default 30m. Shorter than the policy's sustained span, it can only Hold or Rollback.</para></summary>
        [Parameter(Position = 0)]
        [DurationTransformation]
        [ValidatePositiveDuration]
        public TimeSpan Since { get; set; } = TimeSpan.FromMinutes(30);

        /// <summary><para type="description">The end of the window, to replay a past decision. Default: now.</para></summary>
        [Parameter]
        public DateTimeOffset? At { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var policy = Policy;
            WriteVerbose($"Evaluating {policy.Gates.Count} gates of {policy.Source} for realm {policy.Realm} over {Display.Duration(Since)} at {Display.Duration(policy.Step)} steps on {connection.Uri}");
            var decision = Await(token => PromotionEvaluator.DecideAsync(connection, policy, Since, At, CallTimeout, token));
            WriteObject(decision);
        }
    }
}
