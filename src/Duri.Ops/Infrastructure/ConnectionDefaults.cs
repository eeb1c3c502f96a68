using System;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Infrastructure
{
    /// <summary>
    /// What a command falls back to when it names no connection, kept in one place so that cmdlets and their
    /// tab completers reach the same server.
    /// </summary>
    internal static class ConnectionDefaults
    {
        public const string EnvironmentVariable = "DURI_PROMETHEUS_URL";
        public static readonly Uri FallbackUri = new Uri("http://localhost:9090/");

        /// <summary>
        /// The session connection, unless connection parameters (-Uri, -Credential, ...) were given: those
        /// describe another server or another way in, so a new connection is built from them.
        /// </summary>
        public static PrometheusConnection? SessionDefault(bool hasConnectionParameters) =>
            hasConnectionParameters ? null : DuriSession.DefaultConnection;

        /// <summary>
        /// <paramref name="uri"/> when given, else $env:DURI_PROMETHEUS_URL, else http://localhost:9090.
        /// Null when the variable is set to something that is not an http or https URI; its text is then in
        /// <paramref name="invalidEnvironmentValue"/>.
        /// </summary>
        public static Uri? UriOrDefault(Uri? uri, out string? invalidEnvironmentValue)
        {
            invalidEnvironmentValue = null;
            if (uri != null) return uri;
            var text = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (string.IsNullOrWhiteSpace(text)) return FallbackUri;
            if (!Uri.TryCreate(text!.Trim(), UriKind.Absolute, out var fromEnvironment) || PrometheusConnectionSettings.DescribeInvalidUri(fromEnvironment) != null)
            {
                invalidEnvironmentValue = text;
                return null;
            }
            return fromEnvironment;
        }
    }
}
