using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>
    /// Client for the HTTP API that Prometheus, Thanos, Mimir and VictoriaMetrics share. Every call is bounded
    /// by the connection's timeout and stops at once when its cancellation token fires.
    /// </summary>
    public sealed class PrometheusClient : IDisposable
    {
        private static readonly AsyncLocal<Action<string>?> CurrentTrace = new AsyncLocal<Action<string>?>();
        private static readonly string[] SecretHeaderWords = { "auth", "token", "key", "secret", "cookie", "password" };

        private readonly PrometheusConnectionSettings _settings;
        private readonly HttpClient _http;
        private readonly Uri _baseUri;
        private readonly TimeSpan _timeout;
        private readonly bool _ownsHttp;

        public PrometheusClient(PrometheusConnectionSettings settings)
            : this(settings, CreateHttpClient(settings), settings.Timeout, ownsHttp: true)
        {
        }

        private PrometheusClient(PrometheusConnectionSettings settings, HttpClient http, TimeSpan timeout, bool ownsHttp)
        {
            _settings = settings;
            _http = http;
            _timeout = timeout;
            _ownsHttp = ownsHttp;
            var text = settings.Uri.GetLeftPart(UriPartial.Path);
            _baseUri = new Uri(text.EndsWith("/", StringComparison.Ordinal) ? text : text + "/");
        }

        public Uri BaseUri => _baseUri;

        public TimeSpan Timeout => _timeout;

        /// <summary>The same client (sharing its connection pool) with another per-call timeout.</summary>
        public PrometheusClient WithTimeout(TimeSpan timeout) => new PrometheusClient(_settings, _http, timeout, ownsHttp: false);

        /// <summary>
        /// Sends a line per request and response (headers with secrets masked, body excerpts) to <paramref name="trace"/>
        /// for calls made on this logical flow until the returned scope is disposed.
        /// </summary>
        public static IDisposable BeginTrace(Action<string> trace)
        {
            var previous = CurrentTrace.Value;
            CurrentTrace.Value = trace;
            return new TraceScope(previous);
        }

        private sealed class TraceScope : IDisposable
        {
            private readonly Action<string>? _previous;

            public TraceScope(Action<string>? previous) => _previous = previous;

            public void Dispose() => CurrentTrace.Value = _previous;
        }

        public async Task<PrometheusQueryResult> QueryAsync(string query, DateTimeOffset? time = null, CancellationToken cancellationToken = default)
        {
            var form = new List<KeyValuePair<string, string>> { Pair("query", query) };
            if (time.HasValue) form.Add(Pair("time", PrometheusValue.FormatTime(time.Value)));
            var response = await CallApiAsync(HttpMethod.Post, "api/v1/query", form, ApiResponseParser.ReadQueryData, cancellationToken).ConfigureAwait(false);
            response.Data!.Warnings = response.Warnings;
            return response.Data;
        }

        public async Task<PrometheusQueryResult> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken = default)
        {
            if (step <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(step), "The step must be positive.");
            if (end < start) throw new ArgumentException("The end of the range is before its start.", nameof(end));
            var form = new List<KeyValuePair<string, string>>
            {
                Pair("query", query),
                Pair("start", PrometheusValue.FormatTime(start)),
                Pair("end", PrometheusValue.FormatTime(end)),
                Pair("step", PrometheusValue.FormatDurationSeconds(step)),
            };
            var response = await CallApiAsync(HttpMethod.Post, "api/v1/query_range", form, ApiResponseParser.ReadQueryData, cancellationToken, AnswerSize.Large).ConfigureAwait(false);
            response.Data!.Warnings = response.Warnings;
            return response.Data;
        }

        public async Task<IReadOnlyList<LabelSet>> GetSeriesAsync(IEnumerable<string> match, DateTimeOffset? start = null, DateTimeOffset? end = null, CancellationToken cancellationToken = default)
        {
            var form = match.Select(m => Pair("match[]", m)).ToList();
            if (form.Count == 0) throw new ArgumentException("At least one series selector is needed.", nameof(match));
            AddRange(form, start, end);
            var response = await CallApiAsync(HttpMethod.Post, "api/v1/series", form, ApiResponseParser.ReadLabelSetArray, cancellationToken, AnswerSize.Large).ConfigureAwait(false);
            return response.Data!;
        }

        public async Task<IReadOnlyList<string>> GetLabelValuesAsync(string label, IEnumerable<string>? match = null, DateTimeOffset? start = null, DateTimeOffset? end = null, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrEmpty(label)) throw new ArgumentException("A label name is needed.", nameof(label));
            var query = new List<KeyValuePair<string, string>>();
            if (match != null) query.AddRange(match.Select(m => Pair("match[]", m)));
            AddRange(query, start, end);
            var path = "api/v1/label/" + Uri.EscapeDataString(label) + "/values" + ToQueryString(query);
            var response = await CallApiAsync(HttpMethod.Get, path, null, ApiResponseParser.ReadStrings, cancellationToken, AnswerSize.Large).ConfigureAwait(false);
            return response.Data!;
        }

        /// <summary>The active scrape targets.</summary>
        public async Task<IReadOnlyList<PrometheusTarget>> GetTargetsAsync(CancellationToken cancellationToken = default)
        {
            var response = await CallApiAsync(HttpMethod.Get, "api/v1/targets?state=active", null, ApiResponseParser.ReadActiveTargets, cancellationToken, AnswerSize.Large).ConfigureAwait(false);
            return response.Data!;
        }

        public async Task<IReadOnlyList<PrometheusRuleGroup>> GetRulesAsync(CancellationToken cancellationToken = default)
        {
            var response = await CallApiAsync(HttpMethod.Get, "api/v1/rules", null, ApiResponseParser.ReadRuleGroups, cancellationToken, AnswerSize.Large).ConfigureAwait(false);
            return response.Data!;
        }

        /// <summary>The configuration the server runs, as YAML (secrets already masked by the server).</summary>
        public async Task<string> GetConfigAsync(CancellationToken cancellationToken = default)
        {
            var response = await CallApiAsync(HttpMethod.Get, "api/v1/status/config", null, ApiResponseParser.ReadConfigYaml, cancellationToken, AnswerSize.Large).ConfigureAwait(false);
            return response.Data!;
        }

        public async Task<PrometheusRuntimeInfo> GetRuntimeInfoAsync(CancellationToken cancellationToken = default)
        {
            var response = await CallApiAsync(HttpMethod.Get, "api/v1/status/runtimeinfo", null, ApiResponseParser.ReadRuntimeInfo, cancellationToken).ConfigureAwait(false);
            return response.Data!;
        }

        public async Task<PrometheusBuildInfo> GetBuildInfoAsync(CancellationToken cancellationToken = default)
        {
            var response = await CallApiAsync(HttpMethod.Get, "api/v1/status/buildinfo", null, ApiResponseParser.ReadBuildInfo, cancellationToken).ConfigureAwait(false);
            return response.Data!;
        }

        /// <summary><c>/-/ready</c>: true on 200, false on 503 (starting up or shutting down).</summary>
        public Task<bool> IsReadyAsync(CancellationToken cancellationToken = default) => ProbeAsync("-/ready", cancellationToken);

        /// <summary><c>/-/healthy</c>: true on 200.</summary>
        public Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default) => ProbeAsync("-/healthy", cancellationToken);

        /// <summary>
        /// <c>POST /-/reload</c>. A refusal is a <see cref="PrometheusException"/> of kind HttpError carrying the status
        /// (403: lifecycle API off; 500: the new configuration was rejected and the old one kept) and the server's text.
        /// </summary>
        public async Task ReloadAsync(CancellationToken cancellationToken = default)
        {
            var raw = await SendAsync(HttpMethod.Post, "-/reload", null, cancellationToken).ConfigureAwait(false);
            if (raw.StatusCode == HttpStatusCode.OK) return;
            if (raw.StatusCode == HttpStatusCode.Unauthorized) throw UnauthorizedError(raw);
            throw HttpError(raw, "refused the reload");
        }

        /// <summary>Reads a <c>/metrics</c> page in the text exposition format; by default the server's own.</summary>
        public async Task<IReadOnlyList<MetricFamily>> ReadMetricsAsync(Uri? metricsUri = null, CancellationToken cancellationToken = default)
        {
            var raw = await SendAsync(HttpMethod.Get, metricsUri?.ToString() ?? "metrics", null, cancellationToken, "text/plain;version=0.0.4;q=1, */*;q=0.1", AnswerSize.Large).ConfigureAwait(false);
            if (raw.StatusCode == HttpStatusCode.Unauthorized || raw.StatusCode == HttpStatusCode.Forbidden) throw UnauthorizedError(raw);
            if (raw.StatusCode != HttpStatusCode.OK) throw HttpError(raw, "could not serve its metrics");
            if (raw.ContentType.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0 || raw.ContentType.IndexOf("json", StringComparison.OrdinalIgnoreCase) >= 0)
                throw InvalidResponse(raw, "which is not the Prometheus text exposition format");
            try
            {
                return ExpositionReader.Read(Encoding.UTF8.GetString(raw.Body, 0, raw.Length));
            }
            catch (FormatException e)
            {
                throw InvalidResponse(raw, "with a metrics page that does not parse: " + e.Message);
            }
        }

        private async Task<bool> ProbeAsync(string path, CancellationToken cancellationToken)
        {
            var raw = await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
            if (raw.StatusCode == HttpStatusCode.OK) return true;
            if (raw.StatusCode == HttpStatusCode.ServiceUnavailable) return false;
            if (raw.StatusCode == HttpStatusCode.Unauthorized || raw.StatusCode == HttpStatusCode.Forbidden) throw UnauthorizedError(raw);
            throw HttpError(raw, "answered the probe with an error");
        }

        private async Task<ApiResponse<T>> CallApiAsync<T>(HttpMethod method, string path, List<KeyValuePair<string, string>>? form, ApiResponseParser.DataReader<T> readData, CancellationToken cancellationToken, AnswerSize size = AnswerSize.Small)
        {
            var raw = await SendAsync(method, path, form, cancellationToken, size: size).ConfigureAwait(false);
            if (raw.StatusCode == HttpStatusCode.Unauthorized || raw.StatusCode == HttpStatusCode.Forbidden) throw UnauthorizedError(raw);
            if (!StartsLikeJsonObject(raw)) throw InvalidResponse(raw, "which is not the Prometheus HTTP API");
            ApiResponse<T> parsed;
            try
            {
                parsed = ApiResponseParser.ParseEnvelope(raw.Body, raw.Length, readData);
            }
            catch (JsonScanException e)
            {
                throw InvalidResponse(raw, "with JSON that is not a Prometheus API answer (" + e.Message.TrimEnd('.') + ")", e);
            }
            if (!parsed.IsSuccess)
            {
                string detail = string.IsNullOrEmpty(parsed.Error) ? "no error text" : parsed.Error!;
                throw new PrometheusException(
                    PrometheusErrorKind.QueryFailed,
                    raw.Uri,
                    $"The server at {_baseUri} answered with an error ({parsed.ErrorType ?? "unknown"}): {detail}")
                {
                    StatusCode = raw.StatusCode,
                    ErrorType = parsed.ErrorType,
                    ServerMessage = parsed.Error,
                    Warnings = parsed.Warnings,
                };
            }
            if (parsed.Data == null) throw InvalidResponse(raw, "with an API answer that holds no data");
            return parsed;
        }

        private sealed class RawResponse
        {
            public Uri Uri = null!;
            public HttpStatusCode StatusCode;
            public string ReasonPhrase = string.Empty;
            public string ContentType = string.Empty;
            public byte[] Body = Array.Empty<byte>();
            public int Length;
        }

        /// <summary>
        /// Whether an answer is worth compressing. Compressing costs the server a fixed price per answer (about 0.8 ms for
        /// the sandbox's Prometheus, which sets up a new gzip writer each time), more than a small answer takes to send, so gzip is asked
        /// for only where answers grow with history or with the fleet.
        /// </summary>
        private enum AnswerSize
        {
            Small,
            Large,
        }

        private async Task<RawResponse> SendAsync(HttpMethod method, string path, List<KeyValuePair<string, string>>? form, CancellationToken cancellationToken, string accept = "application/json", AnswerSize size = AnswerSize.Small)
        {
            var uri = new Uri(_baseUri, path);
            var trace = CurrentTrace.Value;
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.TryAddWithoutValidation("Accept", accept);
            if (size == AnswerSize.Large) request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
            foreach (var header in _settings.Headers) request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            request.Headers.Authorization = CreateAuthorization();
            if (form != null) request.Content = new FormUrlEncodedContent(form);
            trace?.Invoke(DescribeRequest(request, form));

            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(_timeout);
            var stopwatch = Stopwatch.StartNew();
            try
            {
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token).ConfigureAwait(false);
                var body = new MemoryStream();
                using (var stream = Decoded(response.Content, await response.Content.ReadAsStreamAsync().ConfigureAwait(false)))
                using (timeoutSource.Token.Register(() => stream.Dispose()))
                {
                    await stream.CopyToAsync(body, 81920, timeoutSource.Token).ConfigureAwait(false);
                }
                var raw = new RawResponse
                {
                    Uri = StripQuery(uri),
                    StatusCode = response.StatusCode,
                    ReasonPhrase = response.ReasonPhrase ?? string.Empty,
                    ContentType = response.Content.Headers.ContentType?.ToString() ?? string.Empty,
                    Body = body.GetBuffer(),
                    Length = (int)body.Length,
                };
                trace?.Invoke($"<- HTTP {(int)raw.StatusCode} {raw.ReasonPhrase}, {raw.ContentType}, {raw.Length} bytes in {stopwatch.ElapsedMilliseconds} ms: {Excerpt(raw, 2000)}");
                return raw;
            }
            catch (Exception e) when (!(e is PrometheusException))
            {
                if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException("The call was stopped.", e, cancellationToken);
                if (timeoutSource.IsCancellationRequested)
                {
                    throw new PrometheusException(
                        PrometheusErrorKind.Unreachable,
                        StripQuery(uri),
                        $"The server at {_baseUri} did not answer within {_timeout.TotalSeconds:0.###} s. Check that it is up and reachable, or allow more time with -TimeoutSec.",
                        e);
                }
                if (e is InvalidDataException)
                {
                    throw new PrometheusException(
                        PrometheusErrorKind.InvalidResponse,
                        StripQuery(uri),
                        $"The server at {_baseUri} answered with a gzip body that does not decompress ({e.Message.TrimEnd('.')}). Check the proxies between Duri.Ops and the server.",
                        e);
                }
                if (e is HttpRequestException || e is IOException || e is ObjectDisposedException)
                {
                    throw new PrometheusException(
                        PrometheusErrorKind.Unreachable,
                        StripQuery(uri),
                        $"The server at {_baseUri} could not be reached: {InnermostMessage(e)}. Check the URI, that the server runs, and the network path.",
                        e);
                }
                throw;
            }
        }

        private static Stream Decoded(HttpContent content, Stream stream) =>
            content.Headers.ContentEncoding.Any(e => string.Equals(e, "gzip", StringComparison.OrdinalIgnoreCase))
                ? new GZipStream(stream, CompressionMode.Decompress)
                : stream;

        private AuthenticationHeaderValue? CreateAuthorization()
        {
            if (_settings.Token != null) return new AuthenticationHeaderValue("Bearer", Plain(_settings.Token));
            if (_settings.Credential != null)
            {
                var pair = _settings.Credential.UserName + ":" + _settings.Credential.Password;
                return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
            }
            return null;
        }

        private static string Plain(SecureString secure)
        {
            IntPtr pointer = IntPtr.Zero;
            try
            {
                pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
                return Marshal.PtrToStringUni(pointer) ?? string.Empty;
            }
            finally
            {
                if (pointer != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }

        private string DescribeRequest(HttpRequestMessage request, List<KeyValuePair<string, string>>? form)
        {
            var sb = new StringBuilder("-> ").Append(request.Method).Append(' ').Append(request.RequestUri);
            foreach (var header in request.Headers)
            {
                bool secret = SecretHeaderWords.Any(w => header.Key.IndexOf(w, StringComparison.OrdinalIgnoreCase) >= 0);
                sb.Append(" | ").Append(header.Key).Append(": ").Append(secret ? "***" : string.Join(",", header.Value));
            }
            if (form != null) sb.Append(" | body: ").Append(string.Join("&", form.Select(p => p.Key + "=" + p.Value)));
            return sb.ToString();
        }

        private PrometheusException UnauthorizedError(RawResponse raw) =>
            new PrometheusException(
                PrometheusErrorKind.Unauthorized,
                raw.Uri,
                $"The server at {_baseUri} refused the request (HTTP {(int)raw.StatusCode} {raw.ReasonPhrase}). Check -Credential or -Token, and the tenant header (-Header) where the server needs one.")
            {
                StatusCode = raw.StatusCode,
                ServerMessage = Excerpt(raw, 300),
            };

        private PrometheusException HttpError(RawResponse raw, string what) =>
            new PrometheusException(
                PrometheusErrorKind.HttpError,
                raw.Uri,
                $"The server at {_baseUri} {what}: HTTP {(int)raw.StatusCode} {raw.ReasonPhrase}: {Excerpt(raw, 300)}")
            {
                StatusCode = raw.StatusCode,
                ServerMessage = Excerpt(raw, 2000),
            };

        private PrometheusException InvalidResponse(RawResponse raw, string what, Exception? inner = null) =>
            new PrometheusException(
                PrometheusErrorKind.InvalidResponse,
                raw.Uri,
                $"{raw.Uri} answered HTTP {(int)raw.StatusCode} {raw.ReasonPhrase} ({(raw.ContentType.Length == 0 ? "no content type" : raw.ContentType)}) {what}. "
                + $"Check that the URI points at the server's API root, including any path prefix such as /prometheus. It began: \"{Excerpt(raw, 120)}\"",
                inner)
            {
                StatusCode = raw.StatusCode,
                ServerMessage = Excerpt(raw, 2000),
            };

        private static bool StartsLikeJsonObject(RawResponse raw)
        {
            for (int i = 0; i < raw.Length; i++)
            {
                byte b = raw.Body[i];
                if (b == (byte)' ' || b == (byte)'\n' || b == (byte)'\r' || b == (byte)'\t') continue;
                return b == (byte)'{';
            }
            return false;
        }

        private static string Excerpt(RawResponse raw, int maxChars)
        {
            int take = Math.Min(raw.Length, maxChars * 4);
            var text = Encoding.UTF8.GetString(raw.Body, 0, take);
            var sb = new StringBuilder(Math.Min(text.Length, maxChars));
            bool lastWasSpace = false;
            foreach (char c in text)
            {
                if (sb.Length >= maxChars) { sb.Append("..."); break; }
                bool space = char.IsWhiteSpace(c) || char.IsControl(c);
                if (space && lastWasSpace) continue;
                sb.Append(space ? ' ' : c);
                lastWasSpace = space;
            }
            return sb.ToString().Trim();
        }

        private static string InnermostMessage(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e.Message.TrimEnd('.');
        }

        private static Uri StripQuery(Uri uri) => new Uri(uri.GetLeftPart(UriPartial.Path));

        private static KeyValuePair<string, string> Pair(string key, string value) => new KeyValuePair<string, string>(key, value);

        private static void AddRange(List<KeyValuePair<string, string>> parameters, DateTimeOffset? start, DateTimeOffset? end)
        {
            if (start.HasValue) parameters.Add(Pair("start", PrometheusValue.FormatTime(start.Value)));
            if (end.HasValue) parameters.Add(Pair("end", PrometheusValue.FormatTime(end.Value)));
        }

        private static string ToQueryString(List<KeyValuePair<string, string>> parameters) =>
            parameters.Count == 0 ? string.Empty : "?" + string.Join("&", parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

        private static HttpClient CreateHttpClient(PrometheusConnectionSettings settings)
        {
            var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
            if (settings.SkipCertificateCheck) handler.ServerCertificateCustomValidationCallback = (_, _, _, _) => true;
            var http = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("Duri.Ops/" + typeof(PrometheusClient).Assembly.GetName().Version);
            return http;
        }

        public void Dispose()
        {
            if (_ownsHttp) _http.Dispose();
        }
    }
}
