using System;
using System.Collections;
using System.Management.Automation;
using System.Security;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Infrastructure
{
    /// <summary>
    /// Base of every cmdlet that talks to a server. Resolves the connection the same way everywhere:
    /// -Prometheus, else -Uri, else the session default (Connect-DuriPrometheus), else $env:DURI_PROMETHEUS_URL,
    /// else http://localhost:9090.
    /// </summary>
    public abstract class DuriPrometheusCmdlet : DuriCmdlet
    {
        public const string ConnectionSet = "Connection";
        public const string UriSet = "Uri";
        public const string EnvironmentVariable = ConnectionDefaults.EnvironmentVariable;
        public static readonly Uri FallbackUri = ConnectionDefaults.FallbackUri;

        /// <summary>
        /// <para type="description">A connection from Connect-DuriPrometheus, or any object with a Prometheus property (a sandbox, an earlier result).</para>
        /// </summary>
        [Parameter(ParameterSetName = ConnectionSet, Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        public PrometheusConnection? Prometheus { get; set; }

        /// <summary>
        /// <para type="description">The server's base URI, with any path prefix (https://host/prometheus). Default: the session connection, then $env:DURI_PROMETHEUS_URL, then http://localhost:9090.</para>
        /// </summary>
        [Parameter(ParameterSetName = UriSet)]
        [ValidateHttpUri]
        public Uri? Uri { get; set; }

        /// <summary><para type="description">Basic authentication for -Uri.</para></summary>
        [Parameter(ParameterSetName = UriSet)]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary><para type="description">Bearer token for -Uri.</para></summary>
        [Parameter(ParameterSetName = UriSet)]
        public SecureString? Token { get; set; }

        /// <summary><para type="description">Extra headers for -Uri, such as @{ 'X-Scope-OrgID' = 'tenant-1' } for Mimir or Thanos.</para></summary>
        [Parameter(ParameterSetName = UriSet)]
        public IDictionary? Header { get; set; }

        /// <summary><para type="description">Accept any TLS certificate from -Uri. Only for test servers.</para></summary>
        [Parameter(ParameterSetName = UriSet)]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary><para type="description">Upper bound in seconds for each call to the server. Default: the connection's (30 s).</para></summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int? TimeoutSec { get; set; }

        private PrometheusConnection? _parameterConnection;

        /// <summary>The connection for the current input object.</summary>
        protected PrometheusConnection ResolveConnection()
        {
            var connection = Prometheus
                ?? ConnectionDefaults.SessionDefault(HasConnectionParameters)
                ?? (_parameterConnection ??= FromParameters(UriOrDefault()));
            if (connection.IsDisposed)
            {
                ThrowTerminatingError(Error("PrometheusConnectionClosed", ErrorCategory.ResourceUnavailable, connection,
                    $"The connection to {connection.Uri} was closed (its sandbox was stopped or the module removed). Connect again with Connect-DuriPrometheus or pass -Uri."));
            }
            return connection;
        }

        /// <summary>-TimeoutSec when given; null leaves the connection's own timeout.</summary>
        protected TimeSpan? CallTimeout => TimeoutSec.HasValue ? TimeSpan.FromSeconds(TimeoutSec.Value) : (TimeSpan?)null;

        private bool HasConnectionParameters =>
            Uri != null || Credential != null || Token != null || Header != null || SkipCertificateCheck.IsPresent;

        private Uri UriOrDefault()
        {
            var uri = ConnectionDefaults.UriOrDefault(Uri, out var text);
            if (uri == null)
            {
                ThrowTerminatingError(Error("PrometheusInvalidUri", ErrorCategory.InvalidArgument, text,
                    $"${EnvironmentVariable} is '{text}', which is not an http or https URI. Fix or clear it, or pass -Uri."));
            }
            return uri!;
        }

        /// <summary>Builds (without checking) a connection from -Uri and the authentication parameters.</summary>
        protected PrometheusConnection FromParameters(Uri uri) => PrometheusConnection.Create(BuildSettings(uri));

        protected PrometheusConnectionSettings BuildSettings(Uri uri) =>
            ConnectionParameters.BuildSettings(this, uri, Credential, Token, Header, SkipCertificateCheck, CallTimeout);

        /// <summary>Runs a call against the server, turning its failure into the right error record.</summary>
        /// <returns>False when the call failed for this item only (the error was written); the command goes on.</returns>
        protected bool TryCall<T>(Func<System.Threading.CancellationToken, System.Threading.Tasks.Task<T>> call, object? target, out T result)
        {
            try
            {
                result = Await(call);
                return true;
            }
            catch (PrometheusException e)
            {
                var record = ErrorFor(e, target);
                if (EndsTheCommand(e)) ThrowTerminatingError(record);
                WriteError(record);
                result = default!;
                return false;
            }
        }
    }
}
