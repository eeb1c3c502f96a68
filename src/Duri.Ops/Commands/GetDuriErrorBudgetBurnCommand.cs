using System;
using System.Management.Automation;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Error-budget burn of an objective: burn rates over 5m to 3d and the multi-window alert status Ok, Ticket or Page.</para>
    /// <para type="description">The CI check error-budget-burn-ok. Queries the error ratio over 5m, 30m, 1h, 2h, 6h, 1d and 3d, and over -Period, all concurrently: by default from the GREEN signal (1 - avg_over_time(duri_green{metric_realm="realm"}[window]), with no ratio for a window in which duri_green was ever outside [0, 1], which the average would hide), or from -ErrorRatioQuery with $window (and $realm) where the range goes. The burn rate of a window is its error ratio divided by the error budget (1 - objective); 1 spends the budget exactly over the period. The alerts are those of the SRE workbook: Page when the 1h and 5m burn rates are both above 14.4, or the 6h and 30m both above 6; Ticket when the 1d and 2h are both above 3, or the 3d and 6h both above 1; otherwise Ok. A window (-Period's included) with no data, several series, NaN, a value outside [0, 1] or a failed query makes the status Unknown (never Ok) unless a page already fires, and the reason names the window and the problem. BudgetRemaining is the share of the period's budget not yet spent (negative once overspent).</para>
    /// </summary>
    /// <example>
    /// <code>Get-DuriErrorBudgetBurn -Objective 0.999 -Realm prod</code>
    /// <para>The burn of a 99.9% objective on the prod GREEN signal over a 30-day period.</para>
    /// </example>
    /// <example>
    /// <code>Get-DuriErrorBudgetBurn -Objective 0.995 -Period 7d -ErrorRatioQuery 'sum(rate(http_requests_total{code=~"5.."}[$window])) / sum(rate(http_requests_total[$window]))'</code>
    /// <para>The burn of a 99.5% request-success objective over a week, from an error ratio of HTTP requests.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "DuriErrorBudgetBurn", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(ErrorBudgetBurn))]
    public sealed class GetDuriErrorBudgetBurnCommand : DuriPrometheusCmdlet
    {
        /// <summary><para type="description">The objective, strictly between 0 and 1, such as 0.999 for 99.9%.</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateRange(0.0, 1.0)]
        public double Objective { get; set; }

        /// <summary><para type="description">The period the budget covers, such as 30d or 7d. Default 30d.</para></summary>
        [Parameter]
        [DurationTransformation]
        [ValidatePositiveDuration]
        public TimeSpan Period { get; set; } = TimeSpan.FromDays(30);

        /// <summary><para type="description">The metric_realm of the GREEN signal (and of $realm in -ErrorRatioQuery). Default prod.</para></summary>
        [Parameter]
        [ValidateRealm]
        public string Realm { get; set; } = "prod";

        /// <summary><para type="description">PromQL giving the error ratio (0 to 1) as one series, with $window where the range goes. Default: the GREEN signal's.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ErrorRatioQuery { get; set; }

        /// <summary><para type="description">The evaluation time, to replay a past state. Default: now.</para></summary>
        [Parameter]
        public DateTimeOffset? At { get; set; }

        protected override void ProcessRecord()
        {
            if (!(Objective > 0 && Objective < 1))
            {
                ThrowTerminatingError(Error("ErrorBudgetObjectiveInvalid", ErrorCategory.InvalidArgument, Objective, "-Objective must be strictly between 0 and 1, such as 0.999."));
            }
            if (ErrorRatioQuery != null && !ErrorRatioQuery.Contains(ErrorBudget.WindowPlaceholder))
            {
                ThrowTerminatingError(Error("ErrorBudgetQueryInvalid", ErrorCategory.InvalidArgument, ErrorRatioQuery, "-ErrorRatioQuery must contain $window where the range goes, such as rate(errors[$window]) / rate(requests[$window])."));
            }
            var connection = ResolveConnection();
            WriteVerbose($"Measuring the burn of a {Objective} objective over {Display.Duration(Period)} on {connection.Uri}");
            var burn = Await(token => ErrorBudget.MeasureAsync(connection, Objective, Period, Realm, ErrorRatioQuery, At, CallTimeout, token));
            WriteObject(burn);
        }
    }
}
