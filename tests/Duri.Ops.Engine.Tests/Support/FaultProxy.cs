using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Duri.Ops.Tests.Support
{
    public enum Fault
    {
        /// <summary>Forward to the real server unchanged.</summary>
        None,
        /// <summary>200 with an HTML page, as a login portal or a wrong path would give.</summary>
        Html,
        /// <summary>200, application/json, cut off mid-document.</summary>
        TruncatedJson,
        /// <summary>Accept the request and never answer.</summary>
        Hang,
        /// <summary>Answer with <see cref="FaultProxy.Status"/>, <see cref="FaultProxy.Body"/> and <see cref="FaultProxy.ContentType"/>.</summary>
        Status,
        /// <summary>Accept the connection and close it without a word, as a server that died mid-request.</summary>
        Drop,
    }

    /// <summary>
    /// A loopback HTTP proxy in front of a real server that injects the faults a real Prometheus cannot be made
    /// to produce on demand, and records the request headers it saw. It passes the content coding through both ways and
    /// records the one the server answered with as <c>@response-encoding</c>.
    /// </summary>
    public sealed class FaultProxy : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly Uri _upstream;
        private readonly HttpClient _http = new HttpClient();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        public FaultProxy(Uri upstream)
        {
            _upstream = upstream;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Uri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _ = AcceptLoopAsync();
        }

        public Uri Uri { get; }

        public Fault Fault { get; set; }

        public int Status { get; set; } = 500;

        public string Body { get; set; } = string.Empty;

        public string ContentType { get; set; } = "text/plain";

        /// <summary>The Content-Encoding of a <see cref="Fault.Status"/> answer; none when empty.</summary>
        public string ContentEncoding { get; set; } = string.Empty;

        /// <summary>
        /// When set, only requests whose PromQL (the decoded <c>query</c> form field) it accepts get the fault; the rest
        /// are forwarded, so one query of several can fail while the others reach the real server. A test that aims at one
        /// gate's query (<c>q =&gt; q.Contains(gateQuery)</c>) hits the combined query that holds it.
        /// </summary>
        public Func<string, bool>? FaultsQuery { get; set; }

        /// <summary>When set, forwarding strips this path prefix first, so the proxy can stand for https://host/prometheus.</summary>
        public string PathPrefix { get; set; } = string.Empty;

        public List<Dictionary<string, string>> Requests { get; } = new List<Dictionary<string, string>>();

        public Dictionary<string, string> LastRequest
        {
            get { lock (Requests) return Requests.Last(); }
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(); }
                catch (Exception) { return; }
                _ = Task.Run(() => HandleAsync(client));
            }
        }

        private async Task HandleAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var (method, target, headers, body) = await ReadRequestAsync(stream);
                    headers["@method"] = method;
                    headers["@target"] = target;
                    headers["@body"] = Encoding.UTF8.GetString(body);
                    lock (Requests) Requests.Add(headers);
                    var fault = FaultsQuery == null || FaultsQuery(QueryOf(headers["@body"])) ? Fault : Fault.None;
                    switch (fault)
                    {
                        case Fault.Html:
                            await WriteAsync(stream, 200, "text/html; charset=utf-8", "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in</body></html>");
                            break;
                        case Fault.TruncatedJson:
                            await WriteAsync(stream, 200, "application/json", "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"up\"");
                            break;
                        case Fault.Hang:
                            await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { });
                            break;
                        case Fault.Status:
                            await WriteAsync(stream, Status, ContentType, Encoding.UTF8.GetBytes(Body), ContentEncoding);
                            break;
                        case Fault.Drop:
                            client.Client.LingerState = new LingerOption(true, 0);
                            break;
                        default:
                            await ForwardAsync(stream, method, target, headers, body);
                            break;
                    }
                }
                catch (IOException) { }
                catch (ObjectDisposedException) { }
            }
        }

        /// <summary>The decoded <c>query</c> field of a form body; empty when there is none.</summary>
        public static string QueryOf(string form)
        {
            foreach (var pair in form.Split('&'))
            {
                int equals = pair.IndexOf('=');
                if (equals > 0 && pair.Substring(0, equals) == "query") return Uri.UnescapeDataString(pair.Substring(equals + 1).Replace('+', ' '));
            }
            return string.Empty;
        }

        private async Task ForwardAsync(NetworkStream stream, string method, string target, Dictionary<string, string> headers, byte[] body)
        {
            if (PathPrefix.Length > 0 && target.StartsWith(PathPrefix, StringComparison.Ordinal)) target = target.Substring(PathPrefix.Length);
            else if (PathPrefix.Length > 0)
            {
                await WriteAsync(stream, 404, "text/plain", "404 page not found");
                return;
            }
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_upstream, target));
            if (body.Length > 0)
            {
                request.Content = new ByteArrayContent(body);
                if (headers.TryGetValue("content-type", out var contentType)) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
            if (headers.TryGetValue("accept-encoding", out var acceptEncoding)) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
            using var response = await _http.SendAsync(request);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var encoding = string.Join(", ", response.Content.Headers.ContentEncoding);
            lock (Requests) headers["@response-encoding"] = encoding;
            await WriteAsync(stream, (int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "text/plain", bytes, encoding);
        }

        private static async Task<(string method, string target, Dictionary<string, string> headers, byte[] body)> ReadRequestAsync(NetworkStream stream)
        {
            var head = new MemoryStream();
            var one = new byte[1];
            while (true)
            {
                int n = await stream.ReadAsync(one, 0, 1);
                if (n == 0) throw new IOException("closed");
                head.WriteByte(one[0]);
                var h = head.GetBuffer();
                long len = head.Length;
                if (len >= 4 && h[len - 4] == '\r' && h[len - 3] == '\n' && h[len - 2] == '\r' && h[len - 1] == '\n') break;
            }
            var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            var requestLine = lines[0].Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in lines.Skip(1))
            {
                int colon = line.IndexOf(':');
                if (colon > 0) headers[line.Substring(0, colon).Trim().ToLowerInvariant()] = line.Substring(colon + 1).Trim();
            }
            var body = Array.Empty<byte>();
            if (headers.TryGetValue("content-length", out var lengthText) && int.TryParse(lengthText, out int length) && length > 0)
            {
                body = new byte[length];
                int read = 0;
                while (read < length)
                {
                    int n = await stream.ReadAsync(body, read, length - read);
                    if (n == 0) throw new IOException("closed");
                    read += n;
                }
            }
            return (requestLine[0], requestLine[1], headers, body);
        }

        private static Task WriteAsync(NetworkStream stream, int status, string contentType, string body) =>
            WriteAsync(stream, status, contentType, Encoding.UTF8.GetBytes(body));

        private static async Task WriteAsync(NetworkStream stream, int status, string contentType, byte[] body, string contentEncoding = "")
        {
            var coding = contentEncoding.Length > 0 ? $"Content-Encoding: {contentEncoding}\r\n" : string.Empty;
            var head = $"HTTP/1.1 {status} {ReasonPhrase(status)}\r\nContent-Type: {contentType}\r\n{coding}Content-Length: {body.Length}\r\nConnection: close\r\n\r\n";
            var headBytes = Encoding.ASCII.GetBytes(head);
            await stream.WriteAsync(headBytes, 0, headBytes.Length);
            await stream.WriteAsync(body, 0, body.Length);
            await stream.FlushAsync();
        }

        private static string ReasonPhrase(int status) => status switch
        {
            200 => "OK",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            422 => "Unprocessable Entity",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            _ => "Status",
        };

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _http.Dispose();
        }
    }
}
