using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests
{
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public class PrometheusClientIntegrationTests
    {
        private readonly DuriSandbox _sandbox;

        public PrometheusClientIntegrationTests(SandboxFixture fixture)
        {
            _sandbox = fixture.Sandbox;
        }

        private PrometheusClient Client => _sandbox.Prometheus.Client;

        [Fact]
        public async Task InstantQueryReturnsOneSamplePerTarget()
        {
            var result = await Client.QueryAsync("up");
            Assert.Equal(PrometheusResultType.Vector, result.ResultType);
            Assert.Equal(new[] { "node", "prometheus" }, result.Vector.Select(s => s.Labels["job"]).OrderBy(j => j));
            Assert.All(result.Vector, s => Assert.Equal(1.0, s.Value));
            Assert.All(result.Vector, s => Assert.InRange(s.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1)));
        }

        [Fact]
        public async Task InstantQueryKeepsNaNAndInfinitiesAndTime()
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1234);
            var nan = await Client.QueryAsync("vector(0/0)", at);
            Assert.True(double.IsNaN(Assert.Single(nan.Vector).Value));
            Assert.Equal(at, nan.Vector[0].Timestamp);
            var inf = await Client.QueryAsync("vector(1/0) or label_replace(vector(-1/0), \"sign\", \"minus\", \"\", \"\")", at);
            Assert.Contains(inf.Vector, s => double.IsPositiveInfinity(s.Value));
            Assert.Contains(inf.Vector, s => double.IsNegativeInfinity(s.Value) && s.Labels["sign"] == "minus");
            var scalar = await Client.QueryAsync("scalar(vector(2.5))", at);
            Assert.Equal(PrometheusResultType.Scalar, scalar.ResultType);
            Assert.Equal(2.5, scalar.Scalar!.Value.Value);
            var text = await Client.QueryAsync("\"hello\"", at);
            Assert.Equal("hello", text.String);
        }

        [Fact]
        public async Task RangeQueryReturnsSamplesAtEveryStep()
        {
            var end = DateTimeOffset.UtcNow;
            var start = end.AddSeconds(-5);
            var result = await Client.QueryRangeAsync("vector(7)", start, end, TimeSpan.FromSeconds(1));
            var series = Assert.Single(result.Matrix);
            Assert.Equal(6, series.Count);
            Assert.Equal(start.ToUnixTimeMilliseconds(), series.Samples[0].UnixTimeMilliseconds);
            Assert.All(series.Samples.Zip(series.Samples.Skip(1)), p => Assert.Equal(1000, p.Second.UnixTimeMilliseconds - p.First.UnixTimeMilliseconds));
            Assert.All(series.Samples, s => Assert.Equal(7.0, s.Value));
        }

        [Fact]
        public async Task BadPromQLIsAQueryFailureWithPrometheusOwnMessage()
        {
            var e = await Assert.ThrowsAsync<PrometheusException>(() => Client.QueryAsync("sum(up"));
            Assert.Equal(PrometheusErrorKind.QueryFailed, e.Kind);
            Assert.Equal("bad_data", e.ErrorType);
            Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
            Assert.Contains("parse error", e.ServerMessage);
            Assert.Contains(e.ServerMessage!, e.Message);
        }

        [Fact]
        public async Task SeriesAndLabelValues()
        {
            var series = await Client.GetSeriesAsync(new[] { "up" }, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow);
            Assert.Contains(series, s => s["job"] == "node");
            var jobs = await Client.GetLabelValuesAsync("job");
            Assert.Contains("node", jobs);
            Assert.Contains("prometheus", jobs);
            var filtered = await Client.GetLabelValuesAsync("job", new[] { "up{job=\"node\"}" });
            Assert.Equal(new[] { "node" }, filtered);
        }

        [Fact]
        public async Task StatusEndpointsAndProbes()
        {
            var build = await Client.GetBuildInfoAsync();
            Assert.StartsWith("2.", build.Version);
            Assert.Equal(build.Version, _sandbox.Prometheus.Version);
            var runtime = await Client.GetRuntimeInfoAsync();
            Assert.True(runtime.ReloadConfigSuccess);
            Assert.NotNull(runtime.LastConfigTime);
            var config = await Client.GetConfigAsync();
            Assert.Contains("job_name: node", config);
            Assert.True(await Client.IsReadyAsync());
            Assert.True(await Client.IsHealthyAsync());
        }

        [Fact]
        public async Task ReloadLoadsNewRulesAndRulesAreRead()
        {
            var before = await Client.GetRuntimeInfoAsync();
            File.WriteAllText(Path.Combine(_sandbox.RulesDirectory, "client-test.yml"),
                "groups:\n  - name: client_test\n    interval: 1s\n    rules:\n      - record: duri_client_test\n        expr: vector(3)\n      - alert: DuriClientTestAlert\n        expr: vector(1) > 0\n        labels:\n          severity: info\n");
            try
            {
                // lastConfigTime has one-second resolution.
                await Task.Delay(1100);
                await Client.ReloadAsync();
                var after = await Client.GetRuntimeInfoAsync();
                Assert.True(after.ReloadConfigSuccess);
                Assert.True(after.LastConfigTime > before.LastConfigTime);
                var group = Assert.Single(await Client.GetRulesAsync(), g => g.Name == "client_test");
                Assert.EndsWith("client-test.yml", group.File);
                Assert.Equal(TimeSpan.FromSeconds(1), group.Interval);
                Assert.Equal(new[] { "recording", "alerting" }, group.Rules.Select(r => r.Type));
                Assert.Equal("info", group.Rules[1].Labels["severity"]);
            }
            finally
            {
                File.Delete(Path.Combine(_sandbox.RulesDirectory, "client-test.yml"));
                await Client.ReloadAsync();
            }
        }

        [Fact]
        public async Task ABrokenRuleFileIsRefusedAndTheOldConfigKept()
        {
            var file = Path.Combine(_sandbox.RulesDirectory, "broken-test.yml");
            File.WriteAllText(file, "groups:\n  - name: broken\n    rules:\n      - record: x\n        expr: sum(up\n");
            try
            {
                var e = await Assert.ThrowsAsync<PrometheusException>(() => Client.ReloadAsync());
                Assert.Equal(PrometheusErrorKind.HttpError, e.Kind);
                Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
                Assert.Contains("failed to reload config", e.ServerMessage);
                Assert.False((await Client.GetRuntimeInfoAsync()).ReloadConfigSuccess);
                Assert.Equal(1.0, (await Client.QueryAsync("up{job=\"node\"}")).Vector.Single().Value);
            }
            finally
            {
                File.Delete(file);
                await Client.ReloadAsync();
            }
        }

        [Fact]
        public async Task ReadsMetricsPagesOfPrometheusAndNodeExporter()
        {
            var own = await Client.ReadMetricsAsync();
            Assert.Contains(own, f => f.Name == "prometheus_build_info" && f.Type == MetricType.Gauge);
            File.WriteAllText(Path.Combine(_sandbox.TextfileDirectory, "client_test.prom"), "# TYPE duri_client_test_value gauge\nduri_client_test_value{metric_realm=\"prod\"} 42\n");
            try
            {
                var node = await Client.ReadMetricsAsync(new Uri(_sandbox.NodeExporterUri, "metrics"));
                var family = Assert.Single(node, f => f.Name == "duri_client_test_value");
                Assert.Equal(42.0, family.Samples.Single().Value);
                Assert.Equal("prod", family.Samples.Single().Labels["metric_realm"]);
            }
            finally
            {
                File.Delete(Path.Combine(_sandbox.TextfileDirectory, "client_test.prom"));
            }
        }

        [Fact]
        public async Task ActiveTargetsAreUpWithScrapeDetails()
        {
            var targets = await Client.GetTargetsAsync();
            Assert.Equal(2, targets.Count);
            var node = Assert.Single(targets, t => t.Job == "node");
            Assert.Equal(TargetHealth.Up, node.Health);
            Assert.Equal(_sandbox.NodeExporterUri.Authority, node.Instance);
            Assert.NotNull(node.LastScrape);
            Assert.True(node.ScrapeDuration > TimeSpan.Zero);
            Assert.Equal(TimeSpan.FromSeconds(1), node.ScrapeInterval);
        }

        [Fact]
        public async Task UnreachableServerFailsWithinTheTimeout()
        {
            int closedPort = LoopbackPort.Closed();
            using var client = new PrometheusClient(new PrometheusConnectionSettings(new Uri($"http://127.0.0.1:{closedPort}")) { Timeout = TimeSpan.FromSeconds(2) });
            var stopwatch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<PrometheusException>(() => client.QueryAsync("up"));
            Assert.Equal(PrometheusErrorKind.Unreachable, e.Kind);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3));
        }

        [Fact]
        public async Task AHangingServerFailsAtTheTimeoutAndCancellationStopsAtOnce()
        {
            using var proxy = new FaultProxy(_sandbox.PrometheusUri) { Fault = Fault.Hang };
            using var client = new PrometheusClient(new PrometheusConnectionSettings(proxy.Uri) { Timeout = TimeSpan.FromSeconds(1) });
            var stopwatch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<PrometheusException>(() => client.QueryAsync("up"));
            Assert.Equal(PrometheusErrorKind.Unreachable, e.Kind);
            Assert.Contains("did not answer within 1 s", e.Message);
            Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(3));

            using var patient = new PrometheusClient(new PrometheusConnectionSettings(proxy.Uri) { Timeout = TimeSpan.FromMinutes(5) });
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            stopwatch.Restart();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.QueryAsync("up", null, cancel.Token));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2));
        }

        [Theory]
        [InlineData(Fault.Html, "text/html")]
        [InlineData(Fault.TruncatedJson, "not a Prometheus API answer")]
        public async Task NonApiAnswersAreInvalidResponses(Fault fault, string expectedInMessage)
        {
            using var proxy = new FaultProxy(_sandbox.PrometheusUri) { Fault = fault };
            using var client = new PrometheusClient(new PrometheusConnectionSettings(proxy.Uri));
            var e = await Assert.ThrowsAsync<PrometheusException>(() => client.QueryAsync("up"));
            Assert.Equal(PrometheusErrorKind.InvalidResponse, e.Kind);
            Assert.Contains(expectedInMessage, e.Message);
        }

        [Fact]
        public async Task AProxyErrorPageIsAnInvalidResponseNamingTheStatus()
        {
            using var proxy = new FaultProxy(_sandbox.PrometheusUri) { Fault = Fault.Status, Status = 502, ContentType = "text/html", Body = "<html><body>502 Bad Gateway</body></html>" };
            using var client = new PrometheusClient(new PrometheusConnectionSettings(proxy.Uri));
            var e = await Assert.ThrowsAsync<PrometheusException>(() => client.GetTargetsAsync());
            Assert.Equal(PrometheusErrorKind.InvalidResponse, e.Kind);
            Assert.Equal(HttpStatusCode.BadGateway, e.StatusCode);
            Assert.Contains("HTTP 502", e.Message);
        }

        [Theory]
        [InlineData(401)]
        [InlineData(403)]
        public async Task RefusedAccessIsUnauthorizedAndNeverShowsTheSecret(int status)
        {
            using var proxy = new FaultProxy(_sandbox.PrometheusUri) { Fault = Fault.Status, Status = status, Body = "denied" };
            var settings = new PrometheusConnectionSettings(proxy.Uri) { Credential = new NetworkCredential("ops", "hunter2-secret") };
            using var client = new PrometheusClient(settings);
            var lines = new System.Collections.Generic.List<string>();
            PrometheusException e;
            using (PrometheusClient.BeginTrace(lines.Add))
            {
                e = await Assert.ThrowsAsync<PrometheusException>(() => client.QueryAsync("up"));
            }
            Assert.Equal(PrometheusErrorKind.Unauthorized, e.Kind);
            Assert.NotEmpty(lines);
            foreach (var text in lines.Append(e.Message).Append(e.ToString()))
            {
                Assert.DoesNotContain("hunter2-secret", text);
                Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("ops:hunter2-secret")), text);
            }
        }

        [Fact]
        public async Task SendsPathPrefixHeadersAndCredentialsThroughToTheServer()
        {
            using var proxy = new FaultProxy(_sandbox.PrometheusUri) { PathPrefix = "/prometheus" };
            var token = new SecureString();
            foreach (var c in "tok-123") token.AppendChar(c);
            var settings = new PrometheusConnectionSettings(new Uri(proxy.Uri, "prometheus")) { Token = token };
            settings.Headers["X-Scope-OrgID"] = "team-a";
            using var client = new PrometheusClient(settings);
            var result = await client.QueryAsync("up");
            Assert.Equal(2, result.Vector.Count);
            var request = proxy.LastRequest;
            Assert.Equal("/prometheus/api/v1/query", request["@target"]);
            Assert.Equal("Bearer tok-123", request["authorization"]);
            Assert.Equal("team-a", request["x-scope-orgid"]);

            using var basic = new PrometheusClient(new PrometheusConnectionSettings(new Uri($"http://ops:p%40ss@{proxy.Uri.Authority}/prometheus")));
            Assert.Equal(2, (await basic.QueryAsync("up")).Vector.Count);
            Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("ops:p@ss")), proxy.LastRequest["authorization"]);
        }

        [Fact]
        public async Task AsksForGzipOnlyWhereAnswersGrowAndReadsTheCompressedAnswer()
        {
            using var proxy = new FaultProxy(_sandbox.PrometheusUri);
            using var client = new PrometheusClient(new PrometheusConnectionSettings(proxy.Uri));
            Dictionary<string, string> Sent() { lock (proxy.Requests) return proxy.Requests.Last(); }

            Assert.Equal(2, (await client.QueryAsync("up")).Vector.Count);
            Assert.False(Sent().ContainsKey("accept-encoding"));
            Assert.Equal(string.Empty, Sent()["@response-encoding"]);
            Assert.True((await client.GetRuntimeInfoAsync()).ReloadConfigSuccess);
            Assert.False(Sent().ContainsKey("accept-encoding"));

            var end = DateTimeOffset.UtcNow;
            var range = await client.QueryRangeAsync("up", end.AddSeconds(-30), end, TimeSpan.FromSeconds(5));
            Assert.Equal(2, range.Matrix.Count);
            Assert.Equal("gzip", Sent()["accept-encoding"]);
            Assert.Equal("gzip", Sent()["@response-encoding"]);
            Assert.Equal(2, (await client.GetTargetsAsync()).Count);
            Assert.Equal("gzip", Sent()["@response-encoding"]);
        }

        [Fact]
        public async Task AGzipBodyThatDoesNotDecompressIsAnInvalidResponse()
        {
            using var proxy = new FaultProxy(_sandbox.PrometheusUri)
            {
                Fault = Fault.Status,
                Status = 200,
                ContentType = "application/json",
                ContentEncoding = "gzip",
                Body = "{\"status\":\"success\",\"data\":[]}",
            };
            using var client = new PrometheusClient(new PrometheusConnectionSettings(proxy.Uri));
            var e = await Assert.ThrowsAsync<PrometheusException>(() => client.GetTargetsAsync());
            Assert.Equal(PrometheusErrorKind.InvalidResponse, e.Kind);
            Assert.Contains("gzip body that does not decompress", e.Message);
        }

        [Fact]
        public async Task TraceMasksTheAuthorizationHeader()
        {
            var token = new SecureString();
            foreach (var c in "very-secret-token") token.AppendChar(c);
            using var client = new PrometheusClient(new PrometheusConnectionSettings(_sandbox.PrometheusUri) { Token = token });
            var lines = new System.Collections.Generic.List<string>();
            using (PrometheusClient.BeginTrace(lines.Add))
            {
                await client.QueryAsync("up");
            }
            Assert.Contains(lines, l => l.Contains("Authorization: ***"));
            Assert.Contains(lines, l => l.StartsWith("<- HTTP 200"));
            Assert.DoesNotContain(lines, l => l.Contains("very-secret-token"));
        }
    }
}
