using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>
    /// A server together with the client that talks to it. What querying cmdlets take as <c>-Prometheus</c>
    /// and what their results carry, so that results pipe into the next cmdlet.
    /// </summary>
    public sealed class PrometheusConnection : IDisposable
    {
        private PrometheusConnection(PrometheusConnectionSettings settings, PrometheusClient client)
        {
            Settings = settings;
            Client = client;
        }

        /// <summary>A connection that has not been checked against the server.</summary>
        public static PrometheusConnection Create(PrometheusConnectionSettings settings) =>
            new PrometheusConnection(settings, new PrometheusClient(settings));

        /// <summary>Creates a connection and checks it by reading the server's build information.</summary>
        public static async Task<PrometheusConnection> ConnectAsync(PrometheusConnectionSettings settings, CancellationToken cancellationToken)
        {
            var connection = Create(settings);
            try
            {
                connection.BuildInfo = await connection.Client.GetBuildInfoAsync(cancellationToken).ConfigureAwait(false);
                connection.ConnectedAt = DateTimeOffset.UtcNow;
                return connection;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public Uri Uri => Settings.Uri;

        /// <summary>The server's version, known once the connection was checked.</summary>
        public string Version => BuildInfo?.Version ?? string.Empty;

        public PrometheusBuildInfo? BuildInfo { get; private set; }

        public DateTimeOffset? ConnectedAt { get; private set; }

        public TimeSpan Timeout => Settings.Timeout;

        public string Authentication =>
            Settings.Token != null ? "Bearer" : Settings.Credential != null ? "Basic " + Settings.Credential.UserName : "None";

        public IReadOnlyList<string> HeaderNames => Settings.Headers.Keys.OrderBy(k => k, StringComparer.OrdinalIgnoreCase).ToList();

        public bool SkipCertificateCheck => Settings.SkipCertificateCheck;

        public PrometheusConnectionSettings Settings { get; }

        public PrometheusClient Client { get; }

        public bool IsDisposed { get; private set; }

        public void Dispose()
        {
            if (IsDisposed) return;
            IsDisposed = true;
            Client.Dispose();
        }

        public override string ToString() => Uri.ToString();
    }
}
