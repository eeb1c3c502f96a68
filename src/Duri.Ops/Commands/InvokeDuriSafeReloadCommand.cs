using System;
using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using Duri.Ops.Engine.Reload;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Reloads Prometheus only after promtool passed the config and its rules, then proves the server runs what was checked.</para>
    /// <para type="description">The runbook's reload_safe.sh, in steps that stop at the first failure. Lock: one safe reload per config at a time, across sessions; a second waits up to -LockTimeout (error ReloadInProgress). Check: Test-DuriPrometheusConfig's checks (promtool check config, one promtool check rules over every rule file, and with -Lint the linter); on failure nothing is sent (ConfigCheckFailed, RuleCheckFailed). Before: the server's reload status, last config time and loaded rule groups (ServerStateUnavailable when it cannot be read; nothing is sent). -WhatIf ends here and shows what would be reloaded. Reload: POST /-/reload; HTTP 403 means the lifecycle API is off (ReloadLifecycleDisabled: start Prometheus with --web.enable-lifecycle, or use -Signal to send SIGHUP to -ProcessId on Unix); HTTP 500 means Prometheus rejected the config and kept the old one (ReloadRejected, with its message). Verify, polling up to -VerifyTimeout: the reload is reported successful, the last config time moved past the one before, /api/v1/status/config lists the same rule files and scrape jobs as the file on disk, the files are unchanged since they were checked, exactly the checked rule groups are loaded, and once each group has evaluated after the reload no rule reports health err (ReloadNotVerified otherwise). The result (Succeeded, Steps with Name, Status, Duration and Detail, the config time before and after) is always written; a failure then writes an error whose id names the failed step. ConfirmImpact is High: -Force skips the confirmation.</para>
    /// </summary>
    /// <example>
    /// <code>Invoke-DuriSafeReload -ConfigPath /etc/prometheus/prometheus.yml -Uri http://prometheus:9090 -Force</code>
    /// <para>Checks the config and its rule files, reloads the server without asking, and verifies that it loaded them.</para>
    /// </example>
    /// <example>
    /// <code>$sandbox = Start-DuriSandbox; $sandbox | Invoke-DuriSafeReload -WhatIf</code>
    /// <para>Runs the checks and reads the sandbox's state, then shows what would be reloaded without reloading.</para>
    /// </example>
    /// <example>
    /// <code>Invoke-DuriSafeReload /etc/prometheus/prometheus.yml -Signal -ProcessId (Get-Process prometheus).Id -Force -ErrorAction Stop</code>
    /// <para>Reloads a server whose lifecycle API is off by SIGHUP, and stops the runbook if any step fails.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "DuriSafeReload", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = UriSet)]
    [OutputType(typeof(SafeReloadResult))]
    public sealed class InvokeDuriSafeReloadCommand : DuriPrometheusCmdlet
    {
        private const string Activity = "Safe reload";

        /// <summary><para type="description">The prometheus.yml the server loads (alias -Path). A sandbox's ConfigPath binds from the pipeline.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Path", "FullName")]
        [ValidateNotNullOrEmpty]
        public string ConfigPath { get; set; } = string.Empty;

        /// <summary><para type="description">Also lint every rule file (Test-DuriRuleFile's checks); a lint error stops the reload.</para></summary>
        [Parameter]
        public SwitchParameter Lint { get; set; }

        /// <summary><para type="description">The metric_realm the linter expects on duri_* selectors.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Realm { get; set; } = "prod";

        /// <summary><para type="description">The promtool binary. Default: $env:DURI_PROMTOOL, then PATH.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PromtoolPath { get; set; }

        /// <summary><para type="description">How long verification may poll the server. Default: twice the longest rule group interval plus 10 seconds.</para></summary>
        [Parameter]
        [DurationTransformation]
        [ValidatePositiveDuration]
        public TimeSpan? VerifyTimeout { get; set; }

        /// <summary><para type="description">How long to wait for another safe reload of the same config to finish before failing with ReloadInProgress.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary><para type="description">Reload by sending SIGHUP to -ProcessId instead of POST /-/reload, for servers without --web.enable-lifecycle (Unix only). Verification is the same.</para></summary>
        [Parameter]
        public SwitchParameter Signal { get; set; }

        /// <summary><para type="description">The Prometheus process to signal with -Signal. A sandbox's PrometheusProcessId binds from the pipeline.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("PrometheusProcessId")]
        [ValidateRange(1, int.MaxValue)]
        public int? ProcessId { get; set; }

        /// <summary><para type="description">Reload without asking for confirmation.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            if (LockTimeout < TimeSpan.Zero)
                ThrowTerminatingError(Error("ReloadParameterInvalid", ErrorCategory.InvalidArgument, LockTimeout, "-LockTimeout cannot be negative."));
            if (Signal && !ProcessId.HasValue)
                ThrowTerminatingError(Error("ReloadParameterInvalid", ErrorCategory.InvalidArgument, null, "-Signal needs -ProcessId, the process id of the Prometheus to send SIGHUP to."));
            var connection = ResolveConnection();
            var client = CallTimeout.HasValue ? connection.Client.WithTimeout(CallTimeout.Value) : connection.Client;
            var options = new SafeReloadOptions(SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigPath))
            {
                Lint = Lint ? new LintOptions { Realm = Realm } : null,
                PromtoolPath = PromtoolPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PromtoolPath),
                LockTimeout = LockTimeout,
                VerifyTimeout = VerifyTimeout,
                SignalProcessId = Signal ? ProcessId : null,
            };

            var progress = new ProgressRecord(5, Activity, "Starting");
            SafeReloadResult? result;
            try
            {
                result = Await(token => SafeReloader.RunAsync(client, options, Confirm, message => OnPipelineThread(() =>
                {
                    WriteVerbose(message);
                    progress.StatusDescription = message;
                    WriteProgress(progress);
                }), token));
            }
            catch (PromtoolMissingException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "PromtoolNotFound", ErrorCategory.ObjectNotFound, PromtoolPath ?? "promtool"));
                return;
            }
            catch (FileNotFoundException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "ConfigFileNotFound", ErrorCategory.ObjectNotFound, options.ConfigPath));
                return;
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
            if (result == null) return;
            WriteObject(result);
            if (result.Failure is SafeReloadFailure failure)
            {
                WriteError(Error(failure.ToString(), CategoryOf(failure), result.ConfigPath, $"Safe reload stopped at {result.FailedStep}: {result.Message}"));
            }
        }

        /// <summary>Asks on the pipeline thread, where ShouldProcess must run, while the engine waits.</summary>
        private Task<bool> Confirm(SafeReloadPlan plan)
        {
            var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            OnPipelineThread(() =>
            {
                try
                {
                    bool whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value) ? ((SwitchParameter)value).IsPresent
                        : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference", false));
                    answer.SetResult(Force && !whatIf ? true : ShouldProcess(plan.Describe(), $"Reload {plan.Server} with {plan.ConfigPath}?", Activity));
                }
                catch (Exception e)
                {
                    answer.SetException(e);
                }
            });
            return answer.Task;
        }

        private static ErrorCategory CategoryOf(SafeReloadFailure failure) => failure switch
        {
            SafeReloadFailure.ReloadInProgress => ErrorCategory.ResourceBusy,
            SafeReloadFailure.ConfigCheckFailed => ErrorCategory.InvalidData,
            SafeReloadFailure.RuleCheckFailed => ErrorCategory.InvalidData,
            SafeReloadFailure.ServerStateUnavailable => ErrorCategory.ConnectionError,
            SafeReloadFailure.ReloadLifecycleDisabled => ErrorCategory.PermissionDenied,
            SafeReloadFailure.ReloadFailed => ErrorCategory.ConnectionError,
            _ => ErrorCategory.InvalidResult,
        };
    }
}
