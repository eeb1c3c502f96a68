using System;
using System.Management.Automation;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Runs an instant PromQL query and outputs one object per series.</para>
    /// <para type="description">Evaluates the query at -Time (default: now) and writes one object per series with its labels, timestamp and value (NaN and infinities kept). A scalar answer gives one object without labels. Warnings from the server become PowerShell warnings; a PromQL error is the error PrometheusQueryFailed with the server's own message.</para>
    /// </summary>
    /// <example>
    /// <code>Invoke-DuriQuery 'up'</code>
    /// <para>Shows whether each scrape target was up at its last scrape.</para>
    /// </example>
    /// <example>
    /// <code>Start-DuriSandbox | Invoke-DuriQuery 'up{job="node"}' | Where-Object Value -ne 1</code>
    /// <para>Queries a sandbox's Prometheus and keeps the targets that are down.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "DuriQuery", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(PrometheusVectorSample), typeof(PrometheusRangeSeries), typeof(string))]
    public sealed class InvokeDuriQueryCommand : DuriPrometheusCmdlet
    {
        /// <summary><para type="description">The PromQL expression.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.MetricNameCompleter))]
        public string Query { get; set; } = string.Empty;

        /// <summary><para type="description">The evaluation time. Default: now, as the server sees it.</para></summary>
        [Parameter]
        public DateTimeOffset? Time { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            WriteVerbose($"Querying {connection.Uri}: {Query}" + (Time.HasValue ? $" at {Time.Value.UtcDateTime:o}" : string.Empty));
            if (!TryCall(token => connection.QueryAsync(Query, Time, CallTimeout, token), Query, out var result)) return;
            QueryOutput.WriteWarnings(this, result);
            switch (result.ResultType)
            {
                case PrometheusResultType.Scalar:
                    WriteObject(new PrometheusVectorSample(LabelSet.Empty, result.Scalar!.Value) { Query = Query, Prometheus = connection });
                    break;
                case PrometheusResultType.String:
                    WriteObject(result.String);
                    break;
                case PrometheusResultType.Matrix:
                    // A range-vector expression at an instant: each series with its raw samples.
                    foreach (var series in result.Matrix) WriteObject(series);
                    break;
                default:
                    if (result.Vector.Count == 0) WriteVerbose("The query matched no series.");
                    foreach (var sample in result.Vector) WriteObject(sample);
                    break;
            }
        }
    }

    internal static class QueryOutput
    {
        public static void WriteWarnings(Cmdlet cmdlet, PrometheusQueryResult result)
        {
            foreach (var warning in result.Warnings) cmdlet.WriteWarning("The server warned: " + warning);
            if (result.SkippedHistogramSeries > 0)
            {
                cmdlet.WriteWarning($"{result.SkippedHistogramSeries} series hold native histogram samples, which Duri.Ops does not read yet; they are left out.");
            }
        }
    }
}
