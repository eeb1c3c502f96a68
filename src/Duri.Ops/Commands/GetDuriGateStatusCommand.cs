using System;
using System.Linq;
using System.Management.Automation;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Judges each gate of the policy now: one object per gate with its value, status and reason.</para>
    /// <para type="description">Runs every gate's query of the gate policy (default: the module's policy/l4-dryrun.yml, the runbook's four gates duri_heartbeat_ok == 1, duri_lyapunov_v &lt;= 0.1, duri_canary_unique_ratio &gt;= 0.92 and duri_green_uptime_ratio &gt;= 0.999, each filtered to the realm) at one evaluation time, in one query, together with timestamp() of each to learn how old its sample is. Status is Pass only for exactly one series with a finite value, no older than the gate's max_age, within the gate's range and on the passing side of the threshold. Otherwise it fails closed and says why: Violated (the wrong side of the threshold), NoData (no series), Stale (the newest sample is older than max_age, or its time is unreadable or after the evaluation time), NaN, OutOfRange (±Inf or outside the gate's range), MultipleSeries (naming the labels that tell the series apart) or QueryError (server down, HTTP error, timeout, malformed answer, PromQL the server refuses, an answer the server warns may be incomplete, such as a Thanos partial response, or one holding native histograms). A failed query is a status, not an error, so every gate is always reported; when the server refuses the query, each gate is asked alone, so that the refusal is reported against the gate whose PromQL it is. Each gate's query must be a plain selector with metric_realm="$realm" (a recording rule's series, for anything computed): only a selector's samples carry the time max_age is checked against. A missing or invalid policy is the terminating error GatePolicyNotFound or GatePolicyInvalid, the latter with the file, line and column of every problem.</para>
    /// </summary>
    /// <example>
    /// <code>Get-DuriGateStatus -Realm prod</code>
    /// <para>Shows the four gates of the prod realm: value, operator, threshold, status, sample age and reason.</para>
    /// </example>
    /// <example>
    /// <code>Start-DuriSandbox | Get-DuriGateStatus | Where-Object Status -ne Pass</code>
    /// <para>Lists only the gates that do not pass on a sandbox, each with the reason an operator can act on.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "DuriGateStatus", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(GateResult))]
    public sealed class GetDuriGateStatusCommand : DuriGateCmdlet
    {
        /// <summary><para type="description">Only the gates with these names (wildcards allowed).</para></summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var policy = Policy;
            if (Name != null)
            {
                var patterns = Name.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
                var names = policy.Gates.Where(g => patterns.Any(p => p.IsMatch(g.Name))).Select(g => g.Name).ToList();
                if (names.Count == 0)
                {
                    WriteError(Error("GateNotFound", ErrorCategory.ObjectNotFound, Name,
                        $"No gate of {policy.Source} matches {string.Join(", ", Name)}. The gates are {string.Join(", ", policy.Gates.Select(g => g.Name))}."));
                    return;
                }
                policy = policy.OnlyGates(names);
            }
            WriteVerbose($"Judging {policy.Gates.Count} gates of {policy.Source} for realm {policy.Realm} on {connection.Uri}");
            var results = Await(token => GateEvaluator.EvaluateAsync(connection, policy, null, CallTimeout, token));
            foreach (var result in results) WriteObject(result);
        }
    }
}
