using System;
using System.Collections;
using System.Management.Automation;
using System.Security;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Connects to a Prometheus-compatible server and makes it the session default.</para>
    /// <para type="description">Checks the server by reading its build information, outputs the connection, and makes it the default for every Duri.Ops cmdlet in this session that is given neither -Prometheus nor -Uri. Works with Prometheus, Thanos, Mimir, Cortex and VictoriaMetrics: give the API root with any path prefix, and a tenant header where the server needs one.</para>
    /// </summary>
    /// <example>
    /// <code>Connect-DuriPrometheus -Uri http://localhost:9090</code>
    /// <para>Connects to a local Prometheus and shows its version.</para>
    /// </example>
    /// <example>
    /// <code>Connect-DuriPrometheus -Uri https://mimir.example.com/prometheus -Header @{ 'X-Scope-OrgID' = 'team-a' } -Token (Read-Host -AsSecureString)</code>
    /// <para>Connects to a Mimir tenant behind a path prefix with a bearer token.</para>
    /// </example>
    [Cmdlet(VerbsCommunications.Connect, "DuriPrometheus")]
    [OutputType(typeof(PrometheusConnection))]
    public sealed class ConnectDuriPrometheusCommand : DuriCmdlet
    {
        /// <summary><para type="description">The server's base URI, with any path prefix. A sandbox's PrometheusUri binds from the pipeline.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("PrometheusUri")]
        [ValidateHttpUri]
        public Uri Uri { get; set; } = null!;

        /// <summary><para type="description">Basic authentication.</para></summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary><para type="description">Bearer token.</para></summary>
        [Parameter]
        public SecureString? Token { get; set; }

        /// <summary><para type="description">Extra headers sent with every call, such as a tenant header.</para></summary>
        [Parameter]
        public IDictionary? Header { get; set; }

        /// <summary><para type="description">Upper bound in seconds for each call. Default 30.</para></summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 30;

        /// <summary><para type="description">Accept any TLS certificate. Only for test servers.</para></summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        protected override void ProcessRecord()
        {
            var settings = ConnectionParameters.BuildSettings(this, Uri, Credential, Token, Header, SkipCertificateCheck, TimeSpan.FromSeconds(TimeoutSec));
            WriteVerbose($"Reading the build information of {settings.Uri}");
            PrometheusConnection connection;
            try
            {
                connection = Await(token => PrometheusConnection.ConnectAsync(settings, token));
            }
            catch (PrometheusException e)
            {
                ThrowTerminatingError(ErrorFor(e, Uri));
                return;
            }
            DuriSession.SetDefault(connection);
            WriteObject(connection);
        }
    }
}
