using System.Management.Automation;
using Duri.Ops.Engine.Trends;

namespace Duri.Ops.Infrastructure
{
    /// <summary>Base of the trend cmdlets: the query and how a trend is decided, the same for a watch and for history.</summary>
    public abstract class DuriTrendCmdlet : DuriPrometheusCmdlet
    {
        public const string DefaultQuery = "duri_lyapunov_v{metric_realm=\"prod\"}";

        /// <summary><para type="description">An instant-vector query that gives exactly one series. Default: duri_lyapunov_v{metric_realm="prod"}. When it matches several series, those points are Missing and a warning names the labels in which they differ, so that a narrower selector can be given.</para></summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.MetricNameCompleter))]
        public string Query { get; set; } = DefaultQuery;

        /// <summary><para type="description">The level the last value is compared with (BelowThreshold). Default: 0.1, the runbook's limit for duri_lyapunov_v.</para></summary>
        [Parameter]
        public double Threshold { get; set; } = 0.1;

        /// <summary><para type="description">Confidence of the two-sided Mann-Kendall test, between 0.5 and 0.9999. Default: 0.95, so on a series without trend each of Rising and Falling is wrongly reported about 2.5% of the time.</para></summary>
        [Parameter]
        [ValidateRange(0.5, 0.9999)]
        public double Confidence { get; set; } = 0.95;

        /// <summary><para type="description">The smallest Theil-Sen slope, in value units per minute, that counts as Rising or Falling; a significant drift smaller than this is Flat. Default: 0.001 per minute.</para></summary>
        [Parameter]
        [ValidateRange(0.0, double.MaxValue)]
        public double MinimumSlope { get; set; } = 0.001;

        /// <summary><para type="description">The fewest finite samples for a verdict; with fewer the verdict is InsufficientData. At least 3. Default: 10.</para></summary>
        [Parameter]
        [ValidateRange(3, int.MaxValue)]
        public int MinimumSamples { get; set; } = TrendOptions.DefaultMinimumSamples;

        /// <summary>The options from the parameters; a usable set or the terminating error TrendInvalidOption.</summary>
        protected TrendOptions BuildOptions()
        {
            var options = new TrendOptions
            {
                Confidence = Confidence,
                Threshold = Threshold,
                MinimumSlopePerMinute = MinimumSlope,
                MinimumSamples = MinimumSamples,
            };
            string? problem = options.DescribeProblem();
            if (problem != null) ThrowTerminatingError(Error("TrendInvalidOption", ErrorCategory.InvalidArgument, options, problem));
            return options;
        }

        /// <summary>A warning when there was not enough data for a verdict: the gates treat that as not passing.</summary>
        protected void WarnWhenUndecided(TrendSummary summary)
        {
            if (summary.Verdict == TrendVerdict.InsufficientData)
            {
                WriteWarning($"No trend verdict for {Query}: {summary.Reason} Check that the series exists (Invoke-DuriQuery) or collect for longer.");
            }
        }
    }
}
