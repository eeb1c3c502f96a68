using System;
using System.Collections.Generic;
using System.Net;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>What went wrong talking to a Prometheus-compatible server.</summary>
    public enum PrometheusErrorKind
    {
        /// <summary>No answer: connection refused, DNS failure, TLS failure, or no answer within the timeout.</summary>
        Unreachable,
        /// <summary>An answer that is not the Prometheus HTTP API (an HTML page, a proxy's error, broken JSON).</summary>
        InvalidResponse,
        /// <summary>The API answered <c>status: error</c> (bad PromQL, a query timeout, an unavailable server).</summary>
        QueryFailed,
        /// <summary>HTTP 401 or 403.</summary>
        Unauthorized,
        /// <summary>A non-API endpoint (<c>/-/reload</c>, <c>/metrics</c>) answered with an HTTP error status.</summary>
        HttpError,
    }

    /// <summary>A failure of one call to a Prometheus-compatible server. Never carries credentials.</summary>
    public sealed class PrometheusException : Exception
    {
        public PrometheusException(PrometheusErrorKind kind, Uri requestUri, string message, Exception? inner = null)
            : base(message, inner)
        {
            Kind = kind;
            RequestUri = requestUri;
        }

        public PrometheusErrorKind Kind { get; }

        /// <summary>The URI that was called (without query string, so no PromQL or secrets leak into logs).</summary>
        public Uri RequestUri { get; }

        public HttpStatusCode? StatusCode { get; internal set; }

        /// <summary>The API's <c>errorType</c> (bad_data, execution, timeout, canceled, unavailable, internal...).</summary>
        public string? ErrorType { get; internal set; }

        /// <summary>The server's own error text: the API's <c>error</c>, or the body of a non-API error.</summary>
        public string? ServerMessage { get; internal set; }

        public IReadOnlyList<string> Warnings { get; internal set; } = Array.Empty<string>();
    }
}
