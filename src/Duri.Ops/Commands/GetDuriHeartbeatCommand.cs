using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Reads the heartbeat from Prometheus: one object per heartbeat series, with whether it is Ok.</para>
    /// <para type="description">The runbook's "query duri_heartbeat_ok, expect 1". For the realm's duri_heartbeat_timestamp_seconds series it shows the writer's clock and its age, when Prometheus last scraped it and that age, the changes within the window, the beat counter, and Ok: taken from the duri_heartbeat_ok rule when the server records it, and otherwise computed the same way (changed within -Window and scraped within -Freshness). When more than one series matches the realm, every one is flagged Ambiguous and a warning names the labels in which they differ, which is how a stray series (an old path or label set) shows itself. No series at all is the error HeartbeatNotFound. -Wait keeps polling, with progress, until the heartbeat is Ok or the time is up (the runbook's warm-up); running out of time is the error HeartbeatNotOk.</para>
    /// </summary>
    /// <example>
    /// <code>Get-DuriHeartbeat -Realm prod</code>
    /// <para>Shows the prod heartbeat: writer age, scrape age, changes in the window, and whether it is Ok.</para>
    /// </example>
    /// <example>
    /// <code>Start-DuriSandbox | Get-DuriHeartbeat -Wait 2m</code>
    /// <para>Waits up to two minutes for a sandbox's heartbeat to become Ok, showing progress.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "DuriHeartbeat", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(HeartbeatStatus))]
    public sealed class GetDuriHeartbeatCommand : DuriPrometheusCmdlet
    {
        /// <summary><para type="description">The metric_realm of the heartbeat.</para></summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Realm { get; set; } = "prod";

        /// <summary><para type="description">The changes() window used when Ok is computed rather than read from the rule. Default: the canonical 6m.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan? Window { get; set; }

        /// <summary><para type="description">The largest scrape age that counts as fresh when Ok is computed. Default: the canonical 75s.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan? Freshness { get; set; }

        /// <summary><para type="description">Poll until the heartbeat is Ok or this time is up.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan? Wait { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var options = new HeartbeatQueryOptions { Realm = Realm };
            if (Window.HasValue) options.Window = Window.Value;
            if (Freshness.HasValue) options.Freshness = Freshness.Value;
            if (options.Window <= TimeSpan.Zero || options.Freshness <= TimeSpan.Zero)
            {
                ThrowTerminatingError(Error("HeartbeatParameterInvalid", ErrorCategory.InvalidArgument, options, "-Window and -Freshness must be positive, such as 6m and 75s."));
            }
            WriteVerbose($"Reading the {Realm} heartbeat from {connection.Uri}");
            string activity = $"Waiting for the {Realm} heartbeat";
            var stopwatch = Stopwatch.StartNew();
            IReadOnlyList<HeartbeatStatus> statuses;
            while (true)
            {
                try
                {
                    statuses = Await(token => HeartbeatReader.ReadAsync(connection, options, CallTimeout, token));
                }
                catch (PrometheusException e)
                {
                    ThrowTerminatingError(ErrorFor(e, connection));
                    return;
                }
                bool ok = statuses.Count == 1 && statuses[0].Ok;
                if (!Wait.HasValue || ok || stopwatch.Elapsed >= Wait.Value) break;
                var left = Wait.Value - stopwatch.Elapsed;
                WriteProgress(new ProgressRecord(3, activity, statuses.Count == 0 ? "no heartbeat series yet"
                    : statuses.Count > 1 ? $"{statuses.Count} series match the realm"
                    : $"not Ok: {statuses[0].Changes:0} changes in {PrometheusDuration.Format(options.Window)}, scraped {Display.Age(statuses[0].ScrapeAge)} ago")
                {
                    PercentComplete = (int)Math.Min(99, 100 * stopwatch.Elapsed.TotalMilliseconds / Wait.Value.TotalMilliseconds),
                    SecondsRemaining = (int)Math.Ceiling(left.TotalSeconds),
                });
                if (StopToken.WaitHandle.WaitOne(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1))) throw new PipelineStoppedException();
            }
            if (Wait.HasValue) WriteProgress(new ProgressRecord(3, activity, "done") { RecordType = ProgressRecordType.Completed });

            if (statuses.Count > 1)
            {
                WriteWarning($"{statuses.Count} heartbeat series match metric_realm=\"{Realm}\"; the gates expect exactly one. They differ in: {HeartbeatReader.DescribeDifferences(statuses)}. Remove the stray writer or .prom file.");
            }
            foreach (var status in statuses) WriteObject(status);
            if (statuses.Count == 0)
            {
                WriteError(Error("HeartbeatNotFound", ErrorCategory.ObjectNotFound, Realm,
                    $"No duri_heartbeat_timestamp_seconds{{metric_realm=\"{Realm}\"}} series on {connection.Uri}" + (Wait.HasValue ? $" within {PrometheusDuration.Format(Wait.Value)}" : string.Empty)
                    + ". Start the writer (Write-DuriHeartbeat) and check that node_exporter's textfile collector reads its directory."));
            }
            else if (Wait.HasValue && !(statuses.Count == 1 && statuses[0].Ok))
            {
                WriteError(Error("HeartbeatNotOk", ErrorCategory.OperationTimeout, statuses.ToArray(),
                    $"The {Realm} heartbeat was not Ok within {PrometheusDuration.Format(Wait.Value)}" + (statuses.Count > 1 ? $": {statuses.Count} series match the realm." : ".")));
            }
        }
    }
}
