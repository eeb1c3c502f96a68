using System;
using System.Diagnostics;
using System.Management.Automation;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Re-evaluates the promotion / rollback gate every step until it says Promote or Rollback, or the time is up.</para>
    /// <para type="description">Runs the evaluation of Get-DuriPromotionDecision (same definitions of sustained and consecutive, same window -Since) once per policy step, writing one decision object per evaluation and a progress bar with the current streak and the time it still needs. It returns after the first Promote or Rollback. When -Timeout passes first, the last decision was Hold and the error PromotionGateTimeout says what was still missing. Ctrl+C stops it at once.</para>
    /// </summary>
    /// <example>
    /// <code>$final = Watch-DuriPromotionGate -Realm prod -Timeout 30m | Select-Object -Last 1; $final.Verdict</code>
    /// <para>Watches prod for up to 30 minutes and keeps the decision that ended the watch.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Watch, "DuriPromotionGate", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(PromotionDecision))]
    public sealed class WatchDuriPromotionGateCommand : DuriGateCmdlet
    {
        /// <summary><para type="description">How much history each evaluation reads, such as 30m. Default 30m.</para></summary>
        [Parameter(Position = 0)]
        [DurationTransformation]
        [ValidatePositiveDuration]
        public TimeSpan Since { get; set; } = TimeSpan.FromMinutes(30);

        /// <summary><para type="description">Give up after this long with the error PromotionGateTimeout, such as 20m. Default: the policy's sustained span plus five steps.</para></summary>
        [Parameter]
        [DurationTransformation]
        [ValidatePositiveDuration]
        public TimeSpan? Timeout { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var policy = Policy;
            var timeout = Timeout ?? policy.Sustained + TimeSpan.FromTicks(policy.Step.Ticks * 5);
            string activity = $"Watching the promotion gate of realm {policy.Realm}";
            var stopwatch = Stopwatch.StartNew();
            PromotionDecision decision;
            try
            {
                while (true)
                {
                    decision = Await(token => PromotionEvaluator.DecideAsync(connection, policy, Since, null, CallTimeout, token));
                    WriteObject(decision);
                    if (decision.Verdict != PromotionVerdict.Hold) return;
                    var left = timeout - stopwatch.Elapsed;
                    if (left <= TimeSpan.Zero) break;
                    WriteProgress(new ProgressRecord(4, activity, decision.StreakStart.HasValue
                        ? $"every gate passing for {Display.Duration(decision.StreakLength)}, {Display.Duration(decision.Remaining)} to go"
                        : "waiting for every gate to pass: " + string.Join(", ", decision.Missing))
                    {
                        PercentComplete = (int)Math.Min(99, Math.Max(0, 100 * (1 - decision.Remaining.TotalMilliseconds / Math.Max(1, policy.Sustained.TotalMilliseconds)))),
                        SecondsRemaining = (int)Math.Ceiling(left.TotalSeconds),
                    });
                    var wait = UntilNextStep(policy.Step);
                    if (StopToken.WaitHandle.WaitOne(wait < left ? wait : left)) throw new PipelineStoppedException();
                }
            }
            finally
            {
                WriteProgress(new ProgressRecord(4, activity, "done") { RecordType = ProgressRecordType.Completed });
            }
            WriteError(Error("PromotionGateTimeout", ErrorCategory.OperationTimeout, decision,
                $"Neither Promote nor Rollback within {Display.Duration(timeout)} for realm {policy.Realm}: {decision.Reason}"));
        }

        /// <summary>Just past the next whole step, when the next evaluation has a new step to judge.</summary>
        private static TimeSpan UntilNextStep(TimeSpan step)
        {
            long stepMs = (long)step.TotalMilliseconds;
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            return TimeSpan.FromMilliseconds(stepMs - now % stepMs + 50);
        }
    }
}
