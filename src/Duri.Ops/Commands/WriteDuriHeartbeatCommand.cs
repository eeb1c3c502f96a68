using System;
using System.Collections;
using System.IO;
using System.Management.Automation;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Writes the heartbeat file that node_exporter's textfile collector exports.</para>
    /// <para type="description">Writes &lt;Name&gt;.prom (default duri_heartbeat.prom) into -Directory, holding duri_heartbeat_timestamp_seconds (gauge, this machine's clock) and duri_heartbeat_sequence_total (counter, one more per beat, continuing from the value already in the file), each labelled metric_realm="&lt;Realm&gt;" plus any -Label pairs. Every beat replaces the file atomically: the content goes to a hidden temporary file in the same directory that the collector ignores, is flushed to disk and renamed over the file, so a scrape never sees half a file, and a failure (no permission, disk full, read-only file system) leaves the previous file as it was. One beat by default; -Count N beats every -Interval, or -Continuous until Ctrl+C, on a schedule that does not drift (beat k is due at start + k x interval). Each beat outputs a record. The writer holds a lock file (.&lt;Name&gt;.prom.lock) while it runs, so a second writer on the same file fails with HeartbeatFileLocked. It warns when other .prom files in the directory export the heartbeat metric names too, since those leave stray series.</para>
    /// </summary>
    /// <example>
    /// <code>Write-DuriHeartbeat -Directory /var/lib/prometheus/node-exporter</code>
    /// <para>Writes one beat for the prod realm and outputs its record (path, timestamp, sequence, realm, labels, bytes).</para>
    /// </example>
    /// <example>
    /// <code>Write-DuriHeartbeat -Directory ./textfile -Realm staging -Label @{ team = 'sre' } -Continuous -Interval 60s</code>
    /// <para>Beats every minute until Ctrl+C, as the runbook's textfile_heartbeat.sh does; Ctrl+C leaves a complete file.</para>
    /// </example>
    /// <example>
    /// <code>Write-DuriHeartbeat -Directory ./textfile -Count 3 -Interval 5s -Force -WhatIf</code>
    /// <para>Shows the file it would write (creating ./textfile with -Force), writing nothing.</para>
    /// </example>
    [Cmdlet(VerbsCommunications.Write, "DuriHeartbeat", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = OnceSet)]
    [OutputType(typeof(HeartbeatRecord))]
    public sealed class WriteDuriHeartbeatCommand : DuriCmdlet
    {
        private const string OnceSet = "Once";
        private const string CountSet = "Count";
        private const string ContinuousSet = "Continuous";
        private const string Activity = "Writing the heartbeat";

        /// <summary><para type="description">node_exporter's textfile directory (its --collector.textfile.directory).</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Directory { get; set; } = string.Empty;

        /// <summary><para type="description">The file name without .prom. Default: duri_heartbeat.</para></summary>
        [Parameter]
        [ValidatePattern(@"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
        public string Name { get; set; } = HeartbeatWriter.DefaultName;

        /// <summary><para type="description">The metric_realm label of both series; a plain word without quotes or line breaks. Default: prod.</para></summary>
        [Parameter]
        [ValidateRealm]
        public string Realm { get; set; } = HeartbeatWriter.DefaultRealm;

        /// <summary><para type="description">Extra labels for both series, as a hashtable of name = value. Names must be valid Prometheus label names; values are escaped.</para></summary>
        [Parameter]
        [ValidateLabelNames]
        public Hashtable? Label { get; set; }

        /// <summary><para type="description">Write this many beats, one every -Interval.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = CountSet)]
        [ValidateRange(1, int.MaxValue)]
        public int Count { get; set; }

        /// <summary><para type="description">Beat every -Interval until Ctrl+C.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = ContinuousSet)]
        public SwitchParameter Continuous { get; set; }

        /// <summary><para type="description">The time between beats, such as 15s or 1m; more than zero. Default: 60s, the runbook's heartbeat interval.</para></summary>
        [Parameter(ParameterSetName = CountSet)]
        [Parameter(ParameterSetName = ContinuousSet)]
        [DurationTransformation]
        [ValidatePositiveDuration]
        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary><para type="description">Create -Directory when it does not exist.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Directory);
            var path = System.IO.Path.Combine(directory, HeartbeatWriter.FileNameFor(Name));
            bool exists = System.IO.Directory.Exists(directory);
            if (!exists && !Force)
            {
                ThrowTerminatingError(Error("HeartbeatDirectoryNotFound", ErrorCategory.ObjectNotFound, directory,
                    $"The textfile directory '{directory}' does not exist. Give node_exporter's --collector.textfile.directory, or add -Force to create it."));
            }
            string plan = ParameterSetName == CountSet ? $"{Count} beat(s) every {Display.Duration(Interval)}"
                : ParameterSetName == ContinuousSet ? $"a beat every {Display.Duration(Interval)} until stopped"
                : "one beat";
            if (!ShouldProcess(path, $"Write the heartbeat for realm '{Realm}' ({plan}){(exists ? string.Empty : ", creating the directory")}")) return;

            var labels = Label == null ? null : ValidateLabelNamesAttribute.ToPairs(Label);
            try
            {
                if (!exists) System.IO.Directory.CreateDirectory(directory);
                using (var writer = new HeartbeatWriter(directory, Name, Realm, labels))
                {
                    if (writer.InitialSequence > 0) WriteVerbose($"Continuing the sequence from {writer.InitialSequence}, the value in '{writer.Path}'.");
                    foreach (var stray in writer.FindStrayFiles())
                    {
                        WriteWarning($"'{stray.Path}' also exports {string.Join(", ", stray.MetricNames)}; node_exporter serves both files, so Prometheus sees stray heartbeat series. Remove that file or stop the writer that writes it.");
                    }
                    if (ParameterSetName == OnceSet)
                    {
                        WriteObject(writer.Beat());
                        return;
                    }
                    Run(writer);
                }
            }
            catch (HeartbeatException e) when (e.Kind == HeartbeatErrorKind.FileLocked)
            {
                ThrowTerminatingError(Error("HeartbeatFileLocked", ErrorCategory.ResourceBusy, e.Path, e.Message, e));
            }
            catch (HeartbeatException e)
            {
                ThrowTerminatingError(Error("HeartbeatDirectoryNotFound", ErrorCategory.ObjectNotFound, e.Path, e.Message + " Add -Force to create it.", e));
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(Error("HeartbeatInvalidArgument", ErrorCategory.InvalidArgument, path, e.Message, e));
            }
            catch (UnauthorizedAccessException e)
            {
                ThrowTerminatingError(Error("HeartbeatAccessDenied", ErrorCategory.PermissionDenied, path,
                    $"No permission to write '{path}' ({e.Message}). The previous heartbeat file is unchanged; run as a user that may write to the textfile directory.", e));
            }
            catch (IOException e)
            {
                ThrowTerminatingError(Error("HeartbeatWriteFailed", ErrorCategory.WriteError, path,
                    $"Could not write '{path}': {e.Message} The previous heartbeat file is unchanged; check free space and that the file system is writable.", e));
            }
        }

        private void Run(HeartbeatWriter writer)
        {
            long? count = ParameterSetName == CountSet ? Count : (long?)null;
            var progress = new ProgressRecord(0, Activity, "Starting");
            Await(token => writer.RunAsync(count, Interval, record => OnPipelineThread(() =>
            {
                WriteObject(record);
                progress.StatusDescription = $"Beat {record.Sequence} to {record.Path}";
                if (count.HasValue) progress.PercentComplete = (int)Math.Min(100, 100 * (record.Sequence - writer.InitialSequence) / count.Value);
                WriteProgress(progress);
            }), token));
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }
}
