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

        /// <summary>The client, with another per-call timeout when one is given.</summary>
        public PrometheusClient ClientWith(TimeSpan? timeout) => timeout.HasValue ? Client.WithTimeout(timeout.Value) : Client;

        /// <summary>An instant query whose samples carry the query and this connection.</summary>
        public async Task<PrometheusQueryResult> QueryAsync(string query, DateTimeOffset? time, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var result = await ClientWith(timeout).QueryAsync(query, time, cancellationToken).ConfigureAwait(false);
            return Stamp(result, query);
        }

        /// <summary>A range query whose series carry the query and this connection.</summary>
        public async Task<PrometheusQueryResult> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var result = await ClientWith(timeout).QueryRangeAsync(query, start, end, step, cancellationToken).ConfigureAwait(false);
            return Stamp(result, query);
        }

        /// <summary>The active targets, each carrying this connection.</summary>
        public async Task<IReadOnlyList<PrometheusTarget>> GetTargetsAsync(TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var targets = await ClientWith(timeout).GetTargetsAsync(cancellationToken).ConfigureAwait(false);
            foreach (var target in targets) target.Prometheus = this;
            return targets;
        }

        private PrometheusQueryResult Stamp(PrometheusQueryResult result, string query)
        {
            foreach (var sample in result.Vector)
            {
                sample.Query = query;
                sample.Prometheus = this;
            }
            foreach (var series in result.Matrix)
            {
                series.Query = query;
                series.Prometheus = this;
            }
            return result;
        }

        public void Dispose()
        {
            if (IsDisposed) return;
            IsDisposed = true;
            Client.Dispose();
        }

        public override string ToString() => Uri.ToString();
    }
}
