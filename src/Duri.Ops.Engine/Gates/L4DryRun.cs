using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Gates
{
    /// <summary>A check that must hold before the gates mean anything.</summary>
    public sealed class PreconditionResult
    {
        public const string TargetsHealthy = "TargetsHealthy";
        public const string LastReloadSuccessful = "LastReloadSuccessful";
        public const string HeartbeatOk = "HeartbeatOk";

        internal PreconditionResult(string name, bool passed, string reason)
        {
            Name = name;
            Passed = passed;
            Reason = reason;
        }

        public string Name { get; }

        public bool Passed { get; }

        public string Reason { get; }

        public override string ToString() => $"{Name} {(Passed ? "ok" : "FAILED")}: {Reason}";
    }

    /// <summary>The L4 dry-run verdict: GO only when every precondition and every gate passed.</summary>
    public sealed class L4DryRunDecision
    {
        public const string GoText = "GO";
        public const string NoGoText = "NO-GO";

        /// <summary>GO or NO-GO.</summary>
        public string Decision => IsGo ? GoText : NoGoText;

        public bool IsGo { get; internal set; }

        public IReadOnlyList<GateResult> Gates { get; internal set; } = Array.Empty<GateResult>();

        public IReadOnlyList<PreconditionResult> Preconditions { get; internal set; } = Array.Empty<PreconditionResult>();

        /// <summary>One line per failing precondition or gate; empty for GO.</summary>
        public IReadOnlyList<string> Reasons { get; internal set; } = Array.Empty<string>();

        public string Realm { get; internal set; } = string.Empty;

        public string PolicyPath { get; internal set; } = string.Empty;

        public DateTimeOffset EvaluatedAt { get; internal set; }

        /// <summary>How long the whole dry run took, every query included.</summary>
        public TimeSpan Elapsed { get; internal set; }

        public PrometheusConnection? Prometheus { get; internal set; }

        public override string ToString() => IsGo ? GoText : NoGoText + ": " + string.Join(" ", Reasons);
    }

    /// <summary>
    /// The runbook's l4_dryrun_decision.sh: preconditions and gates, failing closed. Three requests, concurrently: every
    /// gate and the heartbeat in one query at one instant, the targets, and the runtime information.
    /// </summary>
    public static class L4DryRun
    {
        public static async Task<L4DryRunDecision> DecideAsync(PrometheusConnection connection, GatePolicy policy, HeartbeatQueryOptions? heartbeat, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var stopwatch = Stopwatch.StartNew();
            var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var heartbeatOptions = heartbeat ?? new HeartbeatQueryOptions();
            heartbeatOptions.Realm = policy.Realm;
            var gatesAndBeat = GatesAndHeartbeatAsync(connection, policy, heartbeatOptions, at, timeout, cancellationToken);
            var targets = CheckTargetsAsync(connection, timeout, cancellationToken);
            var reload = CheckReloadAsync(connection, timeout, cancellationToken);
            await Task.WhenAll(gatesAndBeat, targets, reload).ConfigureAwait(false);

            var (gates, beat) = gatesAndBeat.Result;
            var preconditions = new[] { targets.Result, reload.Result, beat };
            var reasons = preconditions.Where(p => !p.Passed).Select(p => $"Precondition {p.Name}: {p.Reason}")
                .Concat(gates.Where(g => !g.Passed).Select(g => $"Gate {g.Name} {g.Status}: {g.Reason}"))
                .ToList();
            return new L4DryRunDecision
            {
                IsGo = reasons.Count == 0 && gates.Count > 0,
                Gates = gates,
                Preconditions = preconditions,
                Reasons = reasons,
                Realm = policy.Realm,
                PolicyPath = policy.Source,
                EvaluatedAt = at,
                Elapsed = stopwatch.Elapsed,
                Prometheus = connection,
            };
        }

        /// <summary>
        /// The gates and the heartbeat precondition from one query. When it fails, every gate is QueryError and the heartbeat
        /// unreadable; when the server refuses it, each gate and the heartbeat are asked alone, so that the refusal names its gate.
        /// </summary>
        private static async Task<(IReadOnlyList<GateResult> Gates, PreconditionResult Heartbeat)> GatesAndHeartbeatAsync(
            PrometheusConnection connection, GatePolicy policy, HeartbeatQueryOptions options, DateTimeOffset at, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var query = new CombinedQuery();
            var gates = new GateParts(query, policy);
            var heartbeat = new HeartbeatParts(query, options);
            try
            {
                var answer = await query.QueryAsync(connection, at, timeout, cancellationToken).ConfigureAwait(false);
                return (gates.Judge(answer, at, connection), HeartbeatPrecondition(heartbeat.Read(answer, at, connection), options));
            }
            catch (PrometheusException e) when (!cancellationToken.IsCancellationRequested)
            {
                if (!CombinedQuery.IsRefused(e)) return (gates.Failed(e, at, connection), HeartbeatUnreadable(e));
                var each = GateEvaluator.EvaluateEachAsync(connection, policy, at, timeout, cancellationToken);
                var beat = CheckHeartbeatAsync(connection, options, timeout, cancellationToken);
                await Task.WhenAll(each, beat).ConfigureAwait(false);
                return (each.Result, beat.Result);
            }
        }

        private static async Task<PreconditionResult> CheckTargetsAsync(PrometheusConnection connection, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            const string name = PreconditionResult.TargetsHealthy;
            IReadOnlyList<PrometheusTarget> targets;
            try
            {
                targets = await connection.GetTargetsAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (PrometheusException e) when (!cancellationToken.IsCancellationRequested)
            {
                return new PreconditionResult(name, false, "The targets could not be read: " + e.Message);
            }
            if (targets.Count == 0) return new PreconditionResult(name, false, "The server has no active scrape targets, so nothing the gates read is being collected. Check scrape_configs.");
            var down = targets.Where(t => t.Health != TargetHealth.Up).ToList();
            if (down.Count > 0)
            {
                var detail = string.Join("; ", down.Select(t => $"{t.Job} {t.Instance} is {t.Health.ToString().ToLowerInvariant()}" + (t.LastError.Length > 0 ? $" ({t.LastError})" : string.Empty)));
                return new PreconditionResult(name, false, $"{down.Count} of {targets.Count} targets are not up: {detail}. Run Test-DuriPrometheusTarget and fix the exporters first.");
            }
            return new PreconditionResult(name, true, $"All {targets.Count} targets are up.");
        }

        private static async Task<PreconditionResult> CheckReloadAsync(PrometheusConnection connection, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            const string name = PreconditionResult.LastReloadSuccessful;
            try
            {
                var info = await connection.ClientWith(timeout).GetRuntimeInfoAsync(cancellationToken).ConfigureAwait(false);
                if (info.ReloadConfigSuccess)
                    return new PreconditionResult(name, true, "The last configuration reload succeeded" + (info.LastConfigTime.HasValue ? $" ({GateEvaluator.Clock(info.LastConfigTime.Value)})." : "."));
                return new PreconditionResult(name, false, "The last configuration reload failed, so the server runs an older configuration than the one on disk. Fix it (Test-DuriPrometheusConfig) and reload.");
            }
            catch (PrometheusException e) when (!cancellationToken.IsCancellationRequested)
            {
                return new PreconditionResult(name, false, "The runtime information could not be read: " + e.Message);
            }
        }

        private static async Task<PreconditionResult> CheckHeartbeatAsync(PrometheusConnection connection, HeartbeatQueryOptions options, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            try
            {
                return HeartbeatPrecondition(await HeartbeatReader.ReadAsync(connection, options, timeout, cancellationToken).ConfigureAwait(false), options);
            }
            catch (PrometheusException e) when (!cancellationToken.IsCancellationRequested)
            {
                return HeartbeatUnreadable(e);
            }
        }

        private static PreconditionResult HeartbeatUnreadable(PrometheusException failure) =>
            new PreconditionResult(PreconditionResult.HeartbeatOk, false, "The heartbeat could not be read: " + failure.Message);

        private static PreconditionResult HeartbeatPrecondition(IReadOnlyList<HeartbeatStatus> statuses, HeartbeatQueryOptions options)
        {
            const string name = PreconditionResult.HeartbeatOk;
            if (statuses.Count == 0)
                return new PreconditionResult(name, false, $"No heartbeat series in realm '{options.Realm}'. Start the writer (Write-DuriHeartbeat) and wait for it (Get-DuriHeartbeat -Wait).");
            if (statuses.Count > 1)
                return new PreconditionResult(name, false, $"{statuses.Count} heartbeat series in realm '{options.Realm}', differing in {HeartbeatReader.DescribeDifferences(statuses)}. Remove the stray writer or .prom file.");
            var status = statuses[0];
            if (!status.Ok)
                return new PreconditionResult(name, false, $"The heartbeat is not Ok ({status.OkSource}): {status.Changes:0} changes in {PrometheusDuration.Format(status.Window)}, scraped {PrometheusValue.FormatAge(status.ScrapeAge)} ago. Check that the writer still beats.");
            return new PreconditionResult(name, true, $"The heartbeat is Ok ({status.OkSource}), scraped {PrometheusValue.FormatAge(status.ScrapeAge)} ago.");
        }
    }
}
