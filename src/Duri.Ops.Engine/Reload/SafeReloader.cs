using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Engine.Sandbox;

namespace Duri.Ops.Engine.Reload
{
    public sealed class SafeReloadOptions
    {
        public SafeReloadOptions(string configPath)
        {
            ConfigPath = Path.GetFullPath(configPath);
        }

        /// <summary>The prometheus.yml the server loads, as it is on disk.</summary>
        public string ConfigPath { get; }

        /// <summary>Also lint every rule file; a lint error stops the reload like a promtool error.</summary>
        public LintOptions? Lint { get; set; }

        public string? PromtoolPath { get; set; }

        /// <summary>How long to wait for another safe reload of the same config to finish.</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>How long verification may poll. Default: twice the longest rule group interval plus 10 s.</summary>
        public TimeSpan? VerifyTimeout { get; set; }

        /// <summary>Reload by SIGHUP to this process instead of POST /-/reload (Unix only).</summary>
        public int? SignalProcessId { get; set; }

        public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);
    }

    /// <summary>
    /// The runbook's reload_safe.sh, made strict: check the config and its rule files with promtool, record the
    /// server's state, reload, then prove that the server runs what was checked. Stops at the first failing step;
    /// nothing reaches the server unless every check passed.
    /// </summary>
    public static class SafeReloader
    {
        public const string LockStep = "Lock";
        public const string CheckStep = "Check";
        public const string BeforeStep = "Before";
        public const string ReloadStep = "Reload";
        public const string VerifyStep = "Verify";

        /// <summary>
        /// Runs a safe reload. <paramref name="confirm"/> is asked after the checks and the before-state, just before
        /// the reload; false ends the run with no result.
        /// </summary>
        /// <returns>The result, or null when <paramref name="confirm"/> declined.</returns>
        /// <exception cref="PromtoolMissingException">promtool cannot be found.</exception>
        /// <exception cref="FileNotFoundException">The configuration file does not exist.</exception>
        public static async Task<SafeReloadResult?> RunAsync(PrometheusClient client, SafeReloadOptions options, Func<SafeReloadPlan, Task<bool>> confirm,
            Action<string>? progress = null, CancellationToken cancellationToken = default)
        {
            if (!File.Exists(options.ConfigPath)) throw new FileNotFoundException($"The configuration file '{options.ConfigPath}' does not exist.", options.ConfigPath);
            var run = new Run(client, options);

            progress?.Invoke("Waiting for other safe reloads of " + options.ConfigPath);
            var started = run.StepStart();
            using var held = await ReloadLock.AcquireAsync(options.ConfigPath, options.LockTimeout, cancellationToken).ConfigureAwait(false);
            if (held == null)
            {
                return run.Fail(LockStep, started, SafeReloadFailure.ReloadInProgress,
                    $"Another safe reload of {options.ConfigPath} did not finish within {options.LockTimeout.TotalSeconds:0} s. Wait for it, or raise -LockTimeout.");
            }
            run.Pass(LockStep, started, "held the reload lock for " + options.ConfigPath);

            progress?.Invoke("promtool check config and check rules");
            started = run.StepStart();
            var checks = await ConfigChecker.CheckAsync(options.ConfigPath, options.Lint, cancellationToken, options.PromtoolPath).ConfigureAwait(false);
            run.Checks = checks;
            var failedChecks = checks.Where(c => !c.Passed).ToList();
            if (failedChecks.Count > 0)
            {
                bool configFailed = failedChecks.Any(c => c.Kind == ConfigChecker.ConfigKind);
                return run.Fail(CheckStep, started, configFailed ? SafeReloadFailure.ConfigCheckFailed : SafeReloadFailure.RuleCheckFailed,
                    "Nothing was sent to the server. " + string.Join(" ", failedChecks.Select(c => $"{c.Path}: {string.Join("; ", c.Messages)}")));
            }
            var onDisk = PrometheusConfigFile.Load(options.ConfigPath);
            var ruleChecks = checks.Where(c => c.Kind == ConfigChecker.RulesKind).ToList();
            run.Pass(CheckStep, started, $"promtool passed the config and {ruleChecks.Count} rule file(s) ({ruleChecks.Sum(c => c.Rules)} rules)" + (options.Lint != null ? ", lint clean" : string.Empty));

            progress?.Invoke("Reading the server's state before the reload");
            started = run.StepStart();
            PrometheusRuntimeInfo before;
            try
            {
                before = await client.GetRuntimeInfoAsync(cancellationToken).ConfigureAwait(false);
                var groups = await client.GetRulesAsync(cancellationToken).ConfigureAwait(false);
                run.ConfigTimeBefore = before.LastConfigTime;
                run.Pass(BeforeStep, started, $"last config time {Format(before.LastConfigTime)}, last reload {(before.ReloadConfigSuccess ? "successful" : "FAILED")}, {groups.Count} rule group(s) loaded");
            }
            catch (PrometheusException e)
            {
                return run.Fail(BeforeStep, started, SafeReloadFailure.ServerStateUnavailable,
                    $"Could not read the server's state, so nothing was sent: {e.Message}");
            }

            string method = options.SignalProcessId.HasValue ? $"SIGHUP to process {options.SignalProcessId}" : "POST /-/reload";
            run.Method = method;
            var plan = new SafeReloadPlan(options.ConfigPath, client.BaseUri, checks, onDisk.ScrapeJobs.Select(j => j.Name).ToList(), method, before.LastConfigTime);
            if (!await confirm(plan).ConfigureAwait(false)) return null;

            await WaitPastConfigTimeAsync(before.LastConfigTime, cancellationToken).ConfigureAwait(false);
            progress?.Invoke(method);
            started = run.StepStart();
            var failure = await RequestReloadAsync(client, options, cancellationToken).ConfigureAwait(false);
            if (failure != null)
            {
                // Prometheus' refusal names no file (the reason is in its log); a file changed since the check usually is it.
                var changed = checks.SelectMany(ChangedSinceCheck).ToList();
                var message = failure.Value.Message + (changed.Count > 0 ? " Note: " + string.Join("; ", changed) + "." : string.Empty);
                return run.Fail(ReloadStep, started, failure.Value.Kind, message);
            }
            run.Pass(ReloadStep, started, method + (options.SignalProcessId.HasValue ? " sent" : " accepted"));

            progress?.Invoke("Verifying what the server loaded");
            started = run.StepStart();
            var verdict = await VerifyAsync(client, options, onDisk, checks, before, cancellationToken).ConfigureAwait(false);
            run.ConfigTimeAfter = verdict.ConfigTimeAfter;
            if (verdict.Failure != null) return run.Fail(VerifyStep, started, verdict.Failure.Value, verdict.Detail);
            run.Pass(VerifyStep, started, verdict.Detail);
            return run.Succeed($"{ruleChecks.Count} rule file(s), {ruleChecks.Sum(c => c.Groups)} group(s) loaded and evaluated; config time {Format(before.LastConfigTime)} -> {Format(verdict.ConfigTimeAfter)}");
        }

        /// <summary>The server's last config time has a resolution of one second: reloading within the same second would look like no reload.</summary>
        private static async Task WaitPastConfigTimeAsync(DateTimeOffset? lastConfigTime, CancellationToken cancellationToken)
        {
            if (!lastConfigTime.HasValue) return;
            var wait = lastConfigTime.Value.AddSeconds(1.1) - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }

        private static async Task<(SafeReloadFailure Kind, string Message)?> RequestReloadAsync(PrometheusClient client, SafeReloadOptions options, CancellationToken cancellationToken)
        {
            if (options.SignalProcessId is int pid)
            {
                var problem = ProcessControl.SendHangup(pid);
                return problem == null ? ((SafeReloadFailure, string)?)null : (SafeReloadFailure.ReloadFailed, problem);
            }
            try
            {
                await client.ReloadAsync(cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (PrometheusException e) when (e.StatusCode == HttpStatusCode.Forbidden)
            {
                return (SafeReloadFailure.ReloadLifecycleDisabled,
                    $"The server refused POST /-/reload (HTTP 403): it runs without --web.enable-lifecycle. Start it with that flag, or reload by signal: -Signal -ProcessId <prometheus pid> (Unix). Server said: {e.ServerMessage}".TrimEnd(' ', ':'));
            }
            catch (PrometheusException e) when (e.StatusCode.HasValue)
            {
                return (SafeReloadFailure.ReloadRejected,
                    $"The server rejected the reload (HTTP {(int)e.StatusCode.Value}) and keeps its previous configuration; its log has the details. It said: {e.ServerMessage?.Trim()}");
            }
            catch (PrometheusException e)
            {
                return (SafeReloadFailure.ReloadFailed, $"The reload request failed, so whether the server reloaded is unknown: {e.Message}");
            }
        }

        /// <summary>Twice the longest evaluation interval plus 10 s: the groups the server loaded, else the config's own interval.</summary>
        private static TimeSpan DefaultVerifyTimeout(PrometheusConfigFile onDisk, IReadOnlyList<PrometheusRuleGroup> loaded)
        {
            var longest = onDisk.EvaluationInterval ?? TimeSpan.FromMinutes(1);
            foreach (var group in loaded)
            {
                if (group.Interval > longest) longest = group.Interval;
            }
            return TimeSpan.FromTicks(longest.Ticks * 2) + TimeSpan.FromSeconds(10);
        }

        private readonly struct Verdict
        {
            public Verdict(SafeReloadFailure? failure, string detail, DateTimeOffset? configTimeAfter)
            {
                Failure = failure;
                Detail = detail;
                ConfigTimeAfter = configTimeAfter;
            }

            public SafeReloadFailure? Failure { get; }

            public string Detail { get; }

            public DateTimeOffset? ConfigTimeAfter { get; }
        }

        /// <summary>
        /// Polls until the server reports a successful reload newer than the before-state, then compares what it runs
        /// with what was checked (those comparisons are final once the reload is done), then waits for every checked
        /// group to evaluate once and looks for rule errors.
        /// </summary>
        private static async Task<Verdict> VerifyAsync(PrometheusClient client, SafeReloadOptions options, PrometheusConfigFile onDisk,
            IReadOnlyList<ConfigCheckResult> checks, PrometheusRuntimeInfo before, CancellationToken cancellationToken)
        {
            var timeout = options.VerifyTimeout ?? DefaultVerifyTimeout(onDisk, Array.Empty<PrometheusRuleGroup>());
            var deadline = Stopwatch.StartNew();
            string waiting = "the server to report the reload";
            DateTimeOffset? configTime = null;
            try
            {
                PrometheusRuntimeInfo after;
                while (true)
                {
                    after = await client.GetRuntimeInfoAsync(cancellationToken).ConfigureAwait(false);
                    configTime = after.LastConfigTime;
                    bool moved = after.LastConfigTime.HasValue && (!before.LastConfigTime.HasValue || after.LastConfigTime > before.LastConfigTime);
                    if (!after.ReloadConfigSuccess && (moved || options.SignalProcessId.HasValue))
                    {
                        return new Verdict(SafeReloadFailure.ReloadRejected,
                            "The server reports that its last reload failed and keeps its previous configuration; its log says why.", configTime);
                    }
                    if (after.ReloadConfigSuccess && moved) break;
                    if (deadline.Elapsed > timeout)
                    {
                        return new Verdict(SafeReloadFailure.ReloadNotVerified,
                            $"The server's last config time stayed at {Format(after.LastConfigTime)} for {timeout.TotalSeconds:0} s: it did not reload.", configTime);
                    }
                    await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
                }

                var mismatches = new List<string>();
                foreach (var check in checks) mismatches.AddRange(ChangedSinceCheck(check));
                var directory = Path.GetDirectoryName(options.ConfigPath)!;
                var running = PrometheusConfigFile.Parse(await client.GetConfigAsync(cancellationToken).ConfigureAwait(false), client.BaseUri + "api/v1/status/config");
                mismatches.AddRange(Differences("rule_files", Resolve(directory, onDisk.RuleFiles), Resolve(directory, running.RuleFiles)));
                mismatches.AddRange(Differences("scrape jobs", onDisk.ScrapeJobs.Select(j => j.Name), running.ScrapeJobs.Select(j => j.Name)));

                var expectedGroups = checks.Where(c => c.Kind == ConfigChecker.RulesKind)
                    .SelectMany(c => c.GroupNames.Select(g => GroupKey(c.Path, g))).ToList();
                var loaded = await client.GetRulesAsync(cancellationToken).ConfigureAwait(false);
                timeout = options.VerifyTimeout ?? DefaultVerifyTimeout(onDisk, loaded);
                mismatches.AddRange(Differences("rule groups", expectedGroups, loaded.Select(g => GroupKey(g.File, g.Name))));
                if (mismatches.Count > 0)
                {
                    return new Verdict(SafeReloadFailure.ReloadNotVerified,
                        "The server reloaded, but it does not run what was checked: " + string.Join("; ", mismatches) + ".", configTime);
                }

                // The config time has a one-second resolution: an evaluation counts once it is a full second past it.
                var evaluatedAfter = configTime!.Value.AddSeconds(1);
                waiting = "every rule group to evaluate once after the reload";
                while (true)
                {
                    var pending = loaded.Where(g => !(g.LastEvaluation >= evaluatedAfter)).ToList();
                    var broken = loaded.Where(g => g.LastEvaluation >= evaluatedAfter).SelectMany(g => g.Rules.Where(r => r.Health == "err").Select(r => (g, r))).ToList();
                    if (broken.Count > 0)
                    {
                        return new Verdict(SafeReloadFailure.ReloadNotVerified,
                            "The server reloaded, but rules fail to evaluate: " + string.Join("; ", broken.Select(b => $"{b.g.Name}/{b.r.Name}: {b.r.LastError}")) + ".", configTime);
                    }
                    if (pending.Count == 0) break;
                    if (deadline.Elapsed > timeout)
                    {
                        return new Verdict(SafeReloadFailure.ReloadNotVerified,
                            $"Rule group(s) {string.Join(", ", pending.Select(g => g.Name))} did not evaluate within {timeout.TotalSeconds:0} s of the reload; raise -VerifyTimeout above twice their interval.", configTime);
                    }
                    await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
                    loaded = await client.GetRulesAsync(cancellationToken).ConfigureAwait(false);
                }
                int rules = loaded.Sum(g => g.Rules.Count);
                return new Verdict(null,
                    $"reload successful at {Format(configTime)}; rule_files and {onDisk.ScrapeJobs.Count} scrape job(s) match the file; {loaded.Count} group(s) loaded, {rules} rule(s) evaluated without error",
                    configTime);
            }
            catch (PrometheusException e)
            {
                return new Verdict(SafeReloadFailure.ReloadNotVerified, $"Lost the server while waiting for {waiting}: {e.Message}", configTime);
            }
            catch (ConfigFileException e)
            {
                return new Verdict(SafeReloadFailure.ReloadNotVerified, "The server's running configuration could not be read: " + e.Problem, configTime);
            }
        }

        private static IEnumerable<string> ChangedSinceCheck(ConfigCheckResult check)
        {
            string now;
            try
            {
                now = ContentHash.Sha256Hex(File.ReadAllText(check.Path));
            }
            catch (IOException)
            {
                now = string.Empty;
            }
            if (now != check.ContentSha256) yield return $"{check.Path} changed after it was checked";
        }

        private static IEnumerable<string> Resolve(string directory, IEnumerable<string> patterns) =>
            patterns.Select(p => Path.GetFullPath(Path.IsPathRooted(p) ? p : Path.Combine(directory, p)));

        private static string GroupKey(string file, string group) => Path.GetFullPath(file) + " group " + group;

        private static IEnumerable<string> Differences(string what, IEnumerable<string> expected, IEnumerable<string> actual)
        {
            var want = new HashSet<string>(expected, StringComparer.Ordinal);
            var have = new HashSet<string>(actual, StringComparer.Ordinal);
            var missing = want.Where(w => !have.Contains(w)).OrderBy(w => w, StringComparer.Ordinal).ToList();
            var extra = have.Where(h => !want.Contains(h)).OrderBy(h => h, StringComparer.Ordinal).ToList();
            if (missing.Count > 0) yield return $"{what} not on the server: {string.Join(", ", missing)}";
            if (extra.Count > 0) yield return $"{what} on the server but not in the checked files: {string.Join(", ", extra)}";
        }

        private static string Format(DateTimeOffset? time) => time?.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "never";

        /// <summary>The steps so far and the state the result reports.</summary>
        private sealed class Run
        {
            private readonly PrometheusClient _client;
            private readonly SafeReloadOptions _options;
            private readonly List<ReloadStep> _steps = new List<ReloadStep>();
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            private TimeSpan _stepStart;

            public Run(PrometheusClient client, SafeReloadOptions options)
            {
                _client = client;
                _options = options;
            }

            public IReadOnlyList<ConfigCheckResult> Checks { get; set; } = Array.Empty<ConfigCheckResult>();

            public DateTimeOffset? ConfigTimeBefore { get; set; }

            public DateTimeOffset? ConfigTimeAfter { get; set; }

            public string Method { get; set; } = string.Empty;

            public DateTimeOffset StepStart()
            {
                _stepStart = _clock.Elapsed;
                return DateTimeOffset.UtcNow;
            }

            public void Pass(string step, DateTimeOffset startedAt, string detail) =>
                _steps.Add(new ReloadStep(step, ReloadStepStatus.Passed, startedAt, _clock.Elapsed - _stepStart, detail));

            public SafeReloadResult Fail(string step, DateTimeOffset startedAt, SafeReloadFailure failure, string detail)
            {
                _steps.Add(new ReloadStep(step, ReloadStepStatus.Failed, startedAt, _clock.Elapsed - _stepStart, detail));
                return Result(failure, detail);
            }

            public SafeReloadResult Succeed(string message) => Result(null, message);

            private SafeReloadResult Result(SafeReloadFailure? failure, string message) =>
                new SafeReloadResult(_options.ConfigPath, _client.BaseUri, _steps.ToList(), failure, message, Checks, ConfigTimeBefore, ConfigTimeAfter, Method);
        }
    }
}
