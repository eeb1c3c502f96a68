using System.IO;
using System.Management.Automation;
using Duri.Ops.Engine.Gates;

namespace Duri.Ops.Infrastructure
{
    /// <summary>Base of the cmdlets that judge the gates: -PolicyPath and -Realm, read once per command.</summary>
    public abstract class DuriGateCmdlet : DuriPrometheusCmdlet
    {
        public const string DefaultPolicyFile = "l4-dryrun.yml";

        /// <summary><para type="description">The gate policy (YAML). Default: the module's policy/l4-dryrun.yml, the runbook's four gates, promotion and rollback rules.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PolicyPath { get; set; }

        /// <summary><para type="description">The metric_realm the gates select, in place of the policy's realm (prod in the default policy).</para></summary>
        [Parameter]
        [ValidateRealm]
        public string? Realm { get; set; }

        private GatePolicy? _policy;

        /// <summary>The policy, read on first use; a missing or bad policy ends the command with every problem's position.</summary>
        protected GatePolicy Policy => _policy ??= LoadPolicy();

        private GatePolicy LoadPolicy()
        {
            string path = PolicyPath != null ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(PolicyPath) : ShippedPolicy();
            try
            {
                var policy = GatePolicyReader.Load(path);
                return Realm != null ? policy.WithRealm(Realm) : policy;
            }
            catch (FileNotFoundException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "GatePolicyNotFound", ErrorCategory.ObjectNotFound, path)
                {
                    ErrorDetails = new ErrorDetails($"The gate policy '{path}' does not exist. Give an existing file with -PolicyPath."),
                });
            }
            catch (GatePolicyException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "GatePolicyInvalid", ErrorCategory.ParserError, e.Problems));
            }
            catch (IOException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "GatePolicyUnreadable", ErrorCategory.ReadError, path));
            }
            return null!;
        }

        /// <summary>The module's own policy; when the module ships none, the path where it belongs, so that loading it says so.</summary>
        private string ShippedPolicy() =>
            Path.Combine(ShippedDirectory("policy") ?? Path.Combine(MyInvocation.MyCommand.Module?.ModuleBase ?? string.Empty, "policy"), DefaultPolicyFile);
    }
}
