using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Checks the server's scrape targets: one object per active target, errors for expected jobs without a healthy target.</para>
    /// <para type="description">The runbook's verify_prometheus_targets.sh. Lists every active target with its job, instance, health, last scrape, scrape duration and last error. -Job filters by job name (wildcards allowed). -ExpectedJob (and -ConfigPath, for every job of a prometheus.yml) writes the error TargetJobMissing for each named job with no target at all and TargetDown for each whose targets are all unhealthy. -Quiet returns one boolean instead: true only when at least one target matched, every matched target is up and every expected job has a healthy target; an unreachable server gives false.</para>
    /// </summary>
    /// <example>
    /// <code>Test-DuriPrometheusTarget -ExpectedJob prometheus, node</code>
    /// <para>Lists all targets and reports an error for the prometheus or node job when it has no healthy target.</para>
    /// </example>
    /// <example>
    /// <code>if (-not (Start-DuriSandbox | Test-DuriPrometheusTarget -Quiet)) { throw 'targets unhealthy' }</code>
    /// <para>A runbook guard: stops unless every target of the sandbox is up.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "DuriPrometheusTarget", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(PrometheusTarget), typeof(bool))]
    public sealed class TestDuriPrometheusTargetCommand : DuriPrometheusCmdlet
    {
        /// <summary><para type="description">Only targets whose job matches one of these names (wildcards allowed).</para></summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.JobNameCompleter))]
        public string[]? Job { get; set; }

        /// <summary><para type="description">Jobs that must have at least one healthy target; each that has none is an error (TargetJobMissing or TargetDown).</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.JobNameCompleter))]
        public string[]? ExpectedJob { get; set; }

        /// <summary><para type="description">A prometheus.yml whose scrape jobs are all expected, as if each were given to -ExpectedJob.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ConfigPath { get; set; }

        /// <summary><para type="description">Return only $true or $false.</para></summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        private bool _allHealthy = true;
        private bool _anyTarget;
        private IReadOnlyList<string> _expectedJobs = Array.Empty<string>();

        protected override void BeginProcessing()
        {
            var expected = new List<string>(ExpectedJob ?? Array.Empty<string>());
            if (ConfigPath != null)
            {
                var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigPath);
                try
                {
                    expected.AddRange(PrometheusConfigFile.Load(path).ScrapeJobs.Select(j => j.Name));
                }
                catch (System.IO.FileNotFoundException e)
                {
                    ThrowTerminatingError(new ErrorRecord(e, "ConfigFileNotFound", ErrorCategory.ObjectNotFound, path));
                }
                catch (ConfigFileException e)
                {
                    ThrowTerminatingError(new ErrorRecord(e, "ConfigFileInvalid", ErrorCategory.ParserError, path));
                }
            }
            _expectedJobs = expected.Distinct(StringComparer.Ordinal).ToList();
        }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            WriteVerbose($"Reading the active targets of {connection.Uri}");
            IReadOnlyList<PrometheusTarget> targets;
            try
            {
                targets = Await(token => connection.GetTargetsAsync(CallTimeout, token));
            }
            catch (PrometheusException e) when (Quiet)
            {
                WriteVerbose(e.Message);
                _allHealthy = false;
                return;
            }
            catch (PrometheusException e)
            {
                ThrowTerminatingError(ErrorFor(e, connection));
                return;
            }

            var patterns = Job?.Select(j => new WildcardPattern(j, WildcardOptions.IgnoreCase)).ToList();
            var matched = targets.Where(t => patterns == null || patterns.Any(p => p.IsMatch(t.Job))).ToList();
            _anyTarget |= matched.Count > 0;
            _allHealthy &= matched.All(t => t.Health == TargetHealth.Up);
            if (!Quiet)
            {
                if (matched.Count == 0) WriteVerbose(Job == null ? "The server has no active targets." : "No active target matches -Job.");
                foreach (var target in matched) WriteObject(target);
            }

            foreach (var expected in _expectedJobs)
            {
                var ofJob = targets.Where(t => string.Equals(t.Job, expected, StringComparison.Ordinal)).ToList();
                if (ofJob.Any(t => t.Health == TargetHealth.Up)) continue;
                _allHealthy = false;
                if (Quiet) continue;
                if (ofJob.Count == 0)
                {
                    var known = string.Join(", ", targets.Select(t => t.Job).Distinct().OrderBy(j => j, StringComparer.Ordinal));
                    WriteError(Error("TargetJobMissing", ErrorCategory.ObjectNotFound, expected,
                        $"No active target of job '{expected}' on {connection.Uri}. Check scrape_configs and service discovery. Jobs present: {(known.Length == 0 ? "none" : known)}."));
                }
                else
                {
                    var detail = string.Join("; ", ofJob.Select(t => $"{t.Instance} is {t.Health.ToString().ToLowerInvariant()}" + (t.LastError.Length > 0 ? $" ({t.LastError})" : string.Empty)));
                    WriteError(Error("TargetDown", ErrorCategory.ResourceUnavailable, ofJob.ToArray(),
                        $"Job '{expected}' has no healthy target: {detail}. Check that the exporter runs and that Prometheus can reach it."));
                }
            }
        }

        protected override void EndProcessing()
        {
            if (Quiet) WriteObject(_anyTarget && _allHealthy);
        }
    }
}
