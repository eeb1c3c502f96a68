using System;
using System.Collections.Generic;
using System.Linq;
using Duri.Ops.Engine.Rules;

namespace Duri.Ops.Engine.Reload
{
    public enum ReloadStepStatus
    {
        Passed,
        Failed,
    }

    /// <summary>Why a safe reload stopped; each names the step that failed.</summary>
    public enum SafeReloadFailure
    {
        /// <summary>Another safe reload of the same config held the lock for longer than the lock timeout.</summary>
        ReloadInProgress,
        /// <summary>promtool check config failed; nothing was sent to the server.</summary>
        ConfigCheckFailed,
        /// <summary>promtool check rules (or, with lint, the linter) failed on a rule file; nothing was sent.</summary>
        RuleCheckFailed,
        /// <summary>The server's state before the reload could not be read (down, unauthorised, not Prometheus); nothing was sent.</summary>
        ServerStateUnavailable,
        /// <summary>HTTP 403: the server runs without --web.enable-lifecycle.</summary>
        ReloadLifecycleDisabled,
        /// <summary>The server refused the new configuration (HTTP 500, or a failed reload after SIGHUP) and kept the old one.</summary>
        ReloadRejected,
        /// <summary>The reload request itself failed: no answer, or SIGHUP could not be sent.</summary>
        ReloadFailed,
        /// <summary>The server reloaded, but what it runs is not what was checked.</summary>
        ReloadNotVerified,
    }

    /// <summary>One step of a safe reload, as it happened.</summary>
    public sealed class ReloadStep
    {
        internal ReloadStep(string name, ReloadStepStatus status, DateTimeOffset startedAt, TimeSpan duration, string detail)
        {
            Name = name;
            Status = status;
            StartedAt = startedAt;
            Duration = duration;
            Detail = detail;
        }

        /// <summary>Lock, Check, Before, Reload or Verify.</summary>
        public string Name { get; }

        public ReloadStepStatus Status { get; }

        public DateTimeOffset StartedAt { get; }

        public TimeSpan Duration { get; }

        public string Detail { get; }

        public override string ToString() => $"{Name} {Status}: {Detail}";
    }

    /// <summary>What a safe reload did: every step it ran, the verdict, and the server's config time before and after.</summary>
    public sealed class SafeReloadResult
    {
        internal SafeReloadResult(string configPath, Uri server, IReadOnlyList<ReloadStep> steps, SafeReloadFailure? failure, string message,
            IReadOnlyList<ConfigCheckResult> checks, DateTimeOffset? configTimeBefore, DateTimeOffset? configTimeAfter, string method)
        {
            ConfigPath = configPath;
            Server = server;
            Steps = steps;
            Failure = failure;
            Message = message;
            Checks = checks;
            ConfigTimeBefore = configTimeBefore;
            ConfigTimeAfter = configTimeAfter;
            Method = method;
        }

        public string ConfigPath { get; }

        public Uri Server { get; }

        public bool Succeeded => Failure == null;

        public IReadOnlyList<ReloadStep> Steps { get; }

        /// <summary>The name of the step that failed, or null.</summary>
        public string? FailedStep => Steps.FirstOrDefault(s => s.Status == ReloadStepStatus.Failed)?.Name;

        public SafeReloadFailure? Failure { get; }

        /// <summary>What went wrong and what to do about it; on success, a one-line summary.</summary>
        public string Message { get; }

        /// <summary>One result per file checked: the config and each rule file it loads.</summary>
        public IReadOnlyList<ConfigCheckResult> Checks { get; }

        /// <summary>The server's last config time before the reload.</summary>
        public DateTimeOffset? ConfigTimeBefore { get; }

        /// <summary>The server's last config time after the reload was verified (or when verification gave up).</summary>
        public DateTimeOffset? ConfigTimeAfter { get; }

        /// <summary>How the reload was asked for: POST /-/reload or SIGHUP to a process; empty when it never got that far.</summary>
        public string Method { get; }

        public TimeSpan Duration => Steps.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration);

        public override string ToString() => Succeeded ? "Reload verified: " + Message : $"{Failure}: {Message}";
    }

    /// <summary>What is about to be reloaded, shown for confirmation (and by -WhatIf).</summary>
    public sealed class SafeReloadPlan
    {
        internal SafeReloadPlan(string configPath, Uri server, IReadOnlyList<ConfigCheckResult> checks, IReadOnlyList<string> jobs, string method, DateTimeOffset? configTimeBefore)
        {
            ConfigPath = configPath;
            Server = server;
            Checks = checks;
            Jobs = jobs;
            Method = method;
            ConfigTimeBefore = configTimeBefore;
        }

        public string ConfigPath { get; }

        public Uri Server { get; }

        public IReadOnlyList<ConfigCheckResult> Checks { get; }

        public IReadOnlyList<string> Jobs { get; }

        public string Method { get; }

        public DateTimeOffset? ConfigTimeBefore { get; }

        public string Describe()
        {
            var ruleFiles = Checks.Where(c => c.Kind == ConfigChecker.RulesKind).ToList();
            return $"{Method} on {Server} with {ConfigPath}: {ruleFiles.Count} rule file(s), {ruleFiles.Sum(c => c.Groups)} group(s), " +
                $"{ruleFiles.Sum(c => c.Rules)} rule(s), scrape job(s) {(Jobs.Count == 0 ? "none" : string.Join(", ", Jobs))}; all checks passed";
        }

        public override string ToString() => Describe();
    }
}
