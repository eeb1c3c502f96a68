using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;

namespace Duri.Ops.Engine.Canary
{
    /// <summary>
    /// Takes one canary sample and returns the bytes whose SHA-256 is its fingerprint. A response that is a failure
    /// (HTTP 400 and above, a script error) throws <see cref="CanarySampleFailedException"/>. The token carries the
    /// per-sample timeout and the run's cancellation; the probe must end (or let its task be cancelled) when it fires.
    /// The sample number is 1 for the first sample of the run.
    /// </summary>
    public delegate Task<byte[]> CanaryProbe(long sampleNumber, CancellationToken cancellationToken);

    /// <summary>A sample that got an answer, but one that counts as a failure.</summary>
    public sealed class CanarySampleFailedException : Exception
    {
        /// <summary>
        /// <paramref name="reason"/> is short and low-cardinality, such as "HTTP 500": failures are counted by it.
        /// <paramref name="detail"/> says what happened to this sample, for the last-failure message.
        /// </summary>
        public CanarySampleFailedException(string reason, string detail, Exception? inner = null)
            : base(detail, inner)
        {
            Reason = reason;
        }

        public string Reason { get; }
    }

    /// <summary>
    /// GETs one URI per sample and returns the body. Status 400 and above and transport errors are failures. Requests
    /// carry Cache-Control: no-cache, so that a cache in front of the target does not answer for it (the canary measures
    /// how many answers are distinct; cached copies would count as duplicates of the target's own work).
    /// </summary>
    public sealed class CanaryHttpTarget : IDisposable
    {
        private readonly HttpClient _http;

        public CanaryHttpTarget(Uri uri, int maximumConnections)
        {
            if (uri == null) throw new ArgumentNullException(nameof(uri));
            string? problem = DescribeInvalidUri(uri);
            if (problem != null) throw new ArgumentException(problem, nameof(uri));
            if (maximumConnections < 1) throw new ArgumentOutOfRangeException(nameof(maximumConnections), "At least one connection.");
            Uri = uri;
            var handler = new HttpClientHandler { UseCookies = false, MaxConnectionsPerServer = maximumConnections };
            // The sampler's token bounds every request; HttpClient's own timeout would only race it.
            _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        }

        public Uri Uri { get; }

        /// <summary>Why <paramref name="uri"/> cannot be a canary target, or null when it can.</summary>
        public static string? DescribeInvalidUri(Uri? uri)
        {
            if (uri == null || !uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                return $"'{uri}' is not an absolute http or https URI, such as https://canary.example.com/api/id.";
            // The URI is shown in results, progress and messages; a password in it would be shown too.
            if (uri.UserInfo.Length > 0) return "The canary URI carries a user name or password; the canary sends no credentials, and they would appear in its results.";
            return null;
        }

        public async Task<byte[]> SampleAsync(long sampleNumber, CancellationToken cancellationToken)
        {
            using (var request = new HttpRequestMessage(HttpMethod.Get, Uri))
            {
                request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
                HttpResponseMessage response;
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException e)
                {
                    throw new CanarySampleFailedException("transport error", $"GET {Uri} failed: {Innermost(e).Message}", e);
                }
                using (response)
                {
                    int status = (int)response.StatusCode;
                    if (status >= 400) throw new CanarySampleFailedException($"HTTP {status}", $"GET {Uri} answered {status} {response.ReasonPhrase}.");
                    return await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                }
            }
        }

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e;
        }

        public void Dispose() => _http.Dispose();
    }
}
