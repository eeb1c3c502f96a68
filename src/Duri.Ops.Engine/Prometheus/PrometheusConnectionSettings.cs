using System;
using System.Collections.Generic;
using System.Net;
using System.Security;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>Where and how to reach a Prometheus-compatible server.</summary>
    public sealed class PrometheusConnectionSettings
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

        public PrometheusConnectionSettings(Uri uri)
        {
            if (uri == null) throw new ArgumentNullException(nameof(uri));
            string? problem = DescribeInvalidUri(uri);
            if (problem != null) throw new ArgumentException(problem, nameof(uri));
            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                // Credentials in the URI would otherwise show up wherever the URI is printed.
                var parts = uri.UserInfo.Split(new[] { ':' }, 2);
                Credential = new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
                uri = new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri;
            }
            Uri = uri;
        }

        /// <summary>The server's base URI, with any path prefix (<c>https://host/prometheus</c>); never holds credentials.</summary>
        public Uri Uri { get; }

        /// <summary>Basic authentication.</summary>
        public NetworkCredential? Credential { get; set; }

        /// <summary>Bearer token.</summary>
        public SecureString? Token { get; set; }

        /// <summary>Extra request headers, such as a tenant header (<c>X-Scope-OrgID</c>) for Mimir, Cortex or Thanos.</summary>
        public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Upper bound for each call, from sending the request to the last byte of the answer.</summary>
        public TimeSpan Timeout { get; set; } = DefaultTimeout;

        /// <summary>Accept any TLS certificate. An explicit opt-out for test servers; never the default.</summary>
        public bool SkipCertificateCheck { get; set; }

        /// <summary>Null when the URI can address a server; otherwise what is wrong with it.</summary>
        public static string? DescribeInvalidUri(Uri? uri)
        {
            if (uri == null) return "No URI was given.";
            if (!uri.IsAbsoluteUri)
                return $"'{uri.OriginalString}' is not an absolute URI; give the scheme and host, for example http://localhost:9090.";
            if (uri.Scheme != System.Uri.UriSchemeHttp && uri.Scheme != System.Uri.UriSchemeHttps)
                return $"'{uri.Scheme}' is not supported; the Prometheus HTTP API needs an http or https URI.";
            if (string.IsNullOrEmpty(uri.Host)) return $"'{uri.OriginalString}' names no host.";
            if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
                return $"'{uri.OriginalString}' has a query or fragment; give only the server's base URI.";
            return null;
        }
    }
}
