using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Gates
{
    /// <summary>The multi-window burn-rate verdict. Unknown fails closed: some window needed to rule out a page had no usable data.</summary>
    public enum BurnStatus
    {
        Ok,
        Ticket,
        Page,
        Unknown,
    }

    /// <summary>The error ratio and burn rate over one window.</summary>
    public sealed class BurnWindow
    {
        public TimeSpan Window { get; internal set; }

        /// <summary>The share of bad events in the window (0 to 1); NaN when unknown.</summary>
        public double ErrorRatio { get; internal set; } = double.NaN;

        /// <summary>ErrorRatio divided by the error budget (1 - objective): 1 spends the budget exactly over the period.</summary>
        public double BurnRate { get; internal set; } = double.NaN;

        /// <summary>Why the ratio is unknown; empty when it is known.</summary>
        public string Problem { get; internal set; } = string.Empty;

        public bool Known => Problem.Length == 0;

        public override string ToString() => $"{PrometheusDuration.Format(Window)}: {PrometheusValue.FormatForDisplay(BurnRate)}x";
    }

    /// <summary>Error-budget burn of an objective, by the multi-window, multi-burn-rate alerts of the SRE workbook.</summary>
    public sealed class ErrorBudgetBurn
    {
        public double Objective { get; internal set; }

        public TimeSpan Period { get; internal set; }

        public BurnStatus Status { get; internal set; }

        public string Reason { get; internal set; } = string.Empty;

        /// <summary>5m, 30m, 1h, 2h, 6h, 1d and 3d.</summary>
        public IReadOnlyList<BurnWindow> Windows { get; internal set; } = Array.Empty<BurnWindow>();

        /// <summary>The error ratio over the whole period.</summary>
        public BurnWindow PeriodWindow { get; internal set; } = new BurnWindow();

        /// <summary>The share of the period's budget not yet spent (negative once overspent); NaN when unknown.</summary>
        public double BudgetRemaining { get; internal set; } = double.NaN;

        public string Query { get; internal set; } = string.Empty;

        public string Realm { get; internal set; } = string.Empty;

        public DateTimeOffset EvaluatedAt { get; internal set; }

        public PrometheusConnection? Prometheus { get; internal set; }

        /// <summary>The burn rate of one of the windows; NaN when unknown or not computed.</summary>
        public double BurnRate(TimeSpan window) => Windows.FirstOrDefault(w => w.Window == window)?.BurnRate ?? double.NaN;

        public override string ToString() => Status + ": " + Reason;
    }

    public static class ErrorBudget
    {
        public const string WindowPlaceholder = "$window";

        private const string GreenOverWindow = "duri_green{metric_realm=\"$realm\"}[$window]";

        /// <summary>The series of duri_green that had a value above 1 or below 0 in the window (NaN is neither).</summary>
        private const string GreenOutOfRange = "(max_over_time(" + GreenOverWindow + ") > 1 or min_over_time(" + GreenOverWindow + ") < 0)";

        /// <summary>
        /// The GREEN signal's error ratio: the share of time duri_green was not 1. NaN, one series, when any series had a
        /// value outside [0, 1] in the window, which the average would hide (0 and 2 average to 1); on() so that another
        /// series in range cannot stand in for it. NaN samples make the average NaN by themselves.
        /// </summary>
        public const string GreenErrorRatioQuery = "1 - avg_over_time(" + GreenOverWindow + ") unless on() " + GreenOutOfRange + " or NaN * count" + GreenOutOfRange;

        public static readonly TimeSpan[] Windows =
        {
            TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
            TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(3),
        };

        /// <summary>The alerts, each a long and a short window whose burn rates must both exceed the factor.</summary>
        internal static readonly (BurnStatus Status, TimeSpan Long, TimeSpan Short, double Factor)[] Alerts =
        {
            (BurnStatus.Page, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), 14.4),
            (BurnStatus.Page, TimeSpan.FromHours(6), TimeSpan.FromMinutes(30), 6),
            (BurnStatus.Ticket, TimeSpan.FromDays(1), TimeSpan.FromHours(2), 3),
            (BurnStatus.Ticket, TimeSpan.FromDays(3), TimeSpan.FromHours(6), 1),
        };

        /// <exception cref="ArgumentException">The objective is not strictly between 0 and 1, or the query has no $window.</exception>
        public static async Task<ErrorBudgetBurn> MeasureAsync(PrometheusConnection connection, double objective, TimeSpan period, string realm, string? errorRatioQuery, DateTimeOffset? at, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            if (!(objective > 0 && objective < 1)) throw new ArgumentException($"The objective must be between 0 and 1, such as 0.999; got {objective.ToString(CultureInfo.InvariantCulture)}.", nameof(objective));
            string template = (errorRatioQuery ?? GreenErrorRatioQuery).Replace(GatePolicy.RealmPlaceholder, realm);
            if (!template.Contains(WindowPlaceholder)) throw new ArgumentException("The error-ratio query must contain $window where the range goes, such as rate(errors[$window]) / rate(requests[$window]).", nameof(errorRatioQuery));
            var instant = DateTimeOffset.FromUnixTimeMilliseconds((at ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds());
            var all = Windows.Append(period).ToList();
            string? greenSeries = errorRatioQuery == null ? $"duri_green{{metric_realm=\"{realm}\"}}" : null;
            var tasks = all.Select(w => RatioAsync(connection, template.Replace(WindowPlaceholder, PrometheusDuration.Format(w)), greenSeries, w, instant, timeout, cancellationToken)).ToList();
            var windows = await Task.WhenAll(tasks).ConfigureAwait(false);
            var burn = Judge(objective, period, windows.Take(Windows.Length).ToList(), windows[Windows.Length]);
            burn.Query = template;
            burn.Realm = realm;
            burn.EvaluatedAt = instant;
            burn.Prometheus = connection;
            return burn;
        }

        private static async Task<BurnWindow> RatioAsync(PrometheusConnection connection, string query, string? greenSeries, TimeSpan window, DateTimeOffset at, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var result = new BurnWindow { Window = window };
            try
            {
                var answer = await connection.QueryAsync(query, at, timeout, cancellationToken).ConfigureAwait(false);
                double value;
                if (answer.ResultType == PrometheusResultType.Scalar && answer.Scalar.HasValue) value = answer.Scalar.Value.Value;
                else if (answer.Vector.Count == 1) value = answer.Vector[0].Value;
                else
                {
                    result.Problem = answer.Vector.Count == 0
                        ? $"{query} returned no series: no data for this window."
                        : $"{query} returned {answer.Vector.Count} series; an error ratio is one number. Aggregate the query (sum by () ...).";
                    return result;
                }
                if (double.IsNaN(value) || value < 0 || value > 1)
                {
                    result.Problem = greenSeries != null
                        ? $"{greenSeries} was NaN or outside [0, 1] in this window, and GREEN is 1 or 0: find what wrote that value. The window has no error ratio while the value is in it."
                        : $"{query} gave {PrometheusValue.Format(value)}, which is not a ratio between 0 and 1.";
                    return result;
                }
                result.ErrorRatio = value;
            }
            catch (PrometheusException e) when (!cancellationToken.IsCancellationRequested)
            {
                result.Problem = $"{query} could not be answered: {e.Message}";
            }
            return result;
        }

        /// <summary>Burn rates and the alert verdict from the windows' error ratios. Pure.</summary>
        internal static ErrorBudgetBurn Judge(double objective, TimeSpan period, IReadOnlyList<BurnWindow> windows, BurnWindow periodWindow)
        {
            double budget = 1 - objective;
            foreach (var window in windows.Append(periodWindow))
            {
                if (window.Known) window.BurnRate = window.ErrorRatio / budget;
            }
            var burn = new ErrorBudgetBurn
            {
                Objective = objective,
                Period = period,
                Windows = windows,
                PeriodWindow = periodWindow,
                BudgetRemaining = periodWindow.Known ? 1 - periodWindow.ErrorRatio / budget : double.NaN,
            };
            BurnWindow Of(TimeSpan span) => windows.First(w => w.Window == span);
            string Rates((BurnStatus, TimeSpan Long, TimeSpan Short, double Factor) alert) =>
                $"burn {Rate(Of(alert.Long))}x over {PrometheusDuration.Format(alert.Long)} and {Rate(Of(alert.Short))}x over {PrometheusDuration.Format(alert.Short)}, both above {alert.Factor.ToString(CultureInfo.InvariantCulture)}";

            var firing = Alerts.Where(a => Of(a.Long).Known && Of(a.Short).Known && Of(a.Long).BurnRate > a.Factor && Of(a.Short).BurnRate > a.Factor).ToList();
            var unknown = windows.Append(periodWindow).Where(w => !w.Known).ToList();
            var page = firing.FirstOrDefault(a => a.Status == BurnStatus.Page);
            if (page.Status == BurnStatus.Page)
            {
                burn.Status = BurnStatus.Page;
                burn.Reason = $"Page: {Rates(page)}. The budget of {PrometheusValue.FormatForDisplay(budget)} is burning fast enough to be gone within days; act now.";
            }
            else if (unknown.Count > 0)
            {
                burn.Status = BurnStatus.Unknown;
                burn.Reason = "Unknown, which is not Ok: " + string.Join(" ", unknown.Select(w => $"{(w == periodWindow ? $"the {PrometheusDuration.Format(w.Window)} period" : PrometheusDuration.Format(w.Window))}: {w.Problem}"));
            }
            else if (firing.Count > 0)
            {
                burn.Status = BurnStatus.Ticket;
                burn.Reason = $"Ticket: {Rates(firing[0])}. The budget will be spent before the {PrometheusDuration.Format(period)} period ends at this rate.";
            }
            else
            {
                burn.Status = BurnStatus.Ok;
                burn.Reason = $"Ok: no burn-rate alert fires (1h {Rate(Of(TimeSpan.FromHours(1)))}x, 6h {Rate(Of(TimeSpan.FromHours(6)))}x, 1d {Rate(Of(TimeSpan.FromDays(1)))}x, 3d {Rate(Of(TimeSpan.FromDays(3)))}x).";
            }
            return burn;
        }

        private static string Rate(BurnWindow window) => PrometheusValue.FormatForDisplay(window.BurnRate);
    }
}
