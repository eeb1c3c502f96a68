using System;
using System.Collections;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using Duri.Ops.Completers;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Tests
{
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class CompleterTests : SandboxSessionTest
    {

        public CompleterTests(SandboxFixture fixture)
            : base(fixture)
        {
        }

        /// <summary>What Tab offers with the cursor at the end of <paramref name="line"/>, as a console host asks for it.</summary>
        private CommandCompletion Complete(string line)
        {
            var run = Session.Run("TabExpansion2 -inputScript $line -cursorColumn $line.Length", new Hashtable { ["line"] = line });
            Assert.Empty(run.AllErrors);
            return (CommandCompletion)run.Output.Single().BaseObject;
        }

        private static string[] Texts(CommandCompletion completion) =>
            completion.CompletionMatches.Select(m => m.CompletionText).ToArray();


        [Fact]
        public void JobCompletesJobNamesFromTheServer()
        {
            var completion = Complete($"Test-DuriPrometheusTarget -Uri {Sandbox.PrometheusUri} -Job n");
            Assert.Equal(new[] { "node" }, Texts(completion));
            var match = completion.CompletionMatches.Single();
            Assert.Equal(CompletionResultType.ParameterValue, match.ResultType);
            Assert.Equal("node", match.ToolTip);
        }

        [Fact]
        public void ExpectedJobCompletesJobNamesFromTheServer()
        {
            Assert.Equal(new[] { "prometheus" }, Texts(Complete($"Test-DuriPrometheusTarget -Uri {Sandbox.PrometheusUri} -ExpectedJob P")));
        }

        [Fact]
        public void QueryCompletesMetricNames()
        {
            var completion = Complete($"Invoke-DuriQuery -Uri {Sandbox.PrometheusUri} -Query prometheus_build_");
            Assert.Contains("prometheus_build_info", Texts(completion));
            Assert.All(Texts(completion), t => Assert.StartsWith("prometheus_build_", t, StringComparison.Ordinal));
            Assert.Equal(Texts(completion).OrderBy(t => t, StringComparer.Ordinal), Texts(completion));
        }

        [Fact]
        public void RangeQueryCompletesTheMetricNameAtTheEndOfAnOpenQuotedExpression()
        {
            var completion = Complete($"Invoke-DuriRangeQuery -Uri {Sandbox.PrometheusUri} -Since 5m -Query 'rate(prometheus_http_requests_t");
            var match = Assert.Single(completion.CompletionMatches);
            Assert.Equal("'rate(prometheus_http_requests_total", match.CompletionText);
            Assert.Equal("prometheus_http_requests_total", match.ListItemText);
            Assert.Equal("prometheus_http_requests_total", match.ToolTip);

            var closed = Complete($"Invoke-DuriRangeQuery -Uri {Sandbox.PrometheusUri} -Query 'rate(prometheus_http_requests_t'");
            Assert.Equal(new[] { "'rate(prometheus_http_requests_total'" }, Texts(closed));
        }

        [Fact]
        public void WithoutUriTheSessionConnectionIsAskedAndKeptOpen()
        {
            using var proxy = new FaultProxy(Sandbox.PrometheusUri);
            var connect = Session.Run("$c = Connect-DuriPrometheus -Uri $u", new Hashtable { ["u"] = proxy.Uri });
            Assert.Empty(connect.AllErrors);

            Assert.Equal(new[] { "node" }, Texts(Complete("Test-DuriPrometheusTarget -Job n")));
            Assert.StartsWith("/api/v1/label/job/values", proxy.LastRequest["@target"], StringComparison.Ordinal);
            Assert.Contains("prometheus_build_info", Texts(Complete("Invoke-DuriQuery prometheus_build_")));
            Assert.StartsWith("/api/v1/label/__name__/values", proxy.LastRequest["@target"], StringComparison.Ordinal);
            Assert.False((bool)Session.Run("$c.IsDisposed").Output.Single().BaseObject);
        }

        [Fact]
        public void AConnectionInAVariableIsAskedBeforeTheSessionConnection()
        {
            using var named = new FaultProxy(Sandbox.PrometheusUri);
            using var sessionDefault = new FaultProxy(Sandbox.PrometheusUri);
            var connect = Session.Run("$named = Connect-DuriPrometheus -Uri $n; $null = Connect-DuriPrometheus -Uri $d", new Hashtable { ["n"] = named.Uri, ["d"] = sessionDefault.Uri });
            Assert.Empty(connect.AllErrors);
            int sessionRequests = sessionDefault.Requests.Count;

            Assert.Equal(new[] { "prometheus" }, Texts(Complete("Test-DuriPrometheusTarget -Prometheus $named -Job pro")));
            Assert.StartsWith("/api/v1/label/job/values", named.LastRequest["@target"], StringComparison.Ordinal);
            Assert.Equal(sessionRequests, sessionDefault.Requests.Count);
        }

        [Fact]
        public void ADownServerCompletesNothingQuickly()
        {
            var stopwatch = Stopwatch.StartNew();
            var completion = Complete($"Invoke-DuriQuery -Uri http://127.0.0.1:{LoopbackPort.Closed()} -Query prometheus_build_");
            Assert.Empty(completion.CompletionMatches);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"took {stopwatch.Elapsed}");
        }

        [Fact]
        public void AHangingServerIsCutOffAfterTheCompletionBound()
        {
            using var proxy = new FaultProxy(Sandbox.PrometheusUri) { Fault = Fault.Hang };
            var stopwatch = Stopwatch.StartNew();
            var completion = Complete($"Test-DuriPrometheusTarget -Uri {proxy.Uri} -Job n");
            Assert.Empty(completion.CompletionMatches);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"took {stopwatch.Elapsed}");
        }

        [Fact]
        public void WithoutAConnectionTheEnvironmentVariableIsAskedAndABadOneCompletesNothing()
        {
            var previous = Environment.GetEnvironmentVariable("DURI_PROMETHEUS_URL");
            Environment.SetEnvironmentVariable("DURI_PROMETHEUS_URL", Sandbox.PrometheusUri.ToString());
            try
            {
                Assert.Equal(new[] { "node" }, Texts(Complete("Test-DuriPrometheusTarget -Job n")));
                Environment.SetEnvironmentVariable("DURI_PROMETHEUS_URL", "not-a-uri");
                Assert.Empty(Complete("Test-DuriPrometheusTarget -Job n").CompletionMatches);
            }
            finally
            {
                Environment.SetEnvironmentVariable("DURI_PROMETHEUS_URL", previous);
            }
        }

        [Theory]
        [InlineData("rate(node_cp", false, "node_cp", "'rate(node_cpu_seconds_total'")]
        [InlineData("node_c", false, "node_c", "node_cpu_seconds_total")]
        [InlineData("", false, "", "node_cpu_seconds_total")]
        [InlineData("'rate(node_cp'", true, "node_cp", "'rate(node_cpu_seconds_total")]
        [InlineData("'rate(node_cp'", false, "node_cp", "'rate(node_cpu_seconds_total'")]
        [InlineData("\"rate(node_cp\"", true, "node_cp", "\"rate(node_cpu_seconds_total")]
        [InlineData("'sum by (cpu) (node_c'", false, "node_c", "'sum by (cpu) (node_cpu_seconds_total'")]
        [InlineData("'up{job=\"a'b\"} + node_c'", false, "node_c", "'up{job=\"a''b\"} + node_cpu_seconds_total'")]
        [InlineData("\"a $b / node_c\"", false, "node_c", "\"a `$b / node_cpu_seconds_total\"")]
        [InlineData("up + node_c", false, "node_c", "'up + node_cpu_seconds_total'")]
        public void TheMetricNameAtTheEndOfTheQueryIsCompletedAndTheRestKept(string word, bool leaveOpen, string partial, string text)
        {
            Assert.True(MetricNameCompleter.TrySplitQuery(word, leaveOpen, out var partialName, out var completionText));
            Assert.Equal(partial, partialName);
            Assert.Equal(text, completionText("node_cpu_seconds_total"));
        }

        [Theory]
        [InlineData("up{jo")]
        [InlineData("up{job=\"no")]
        [InlineData("rate(up[5m")]
        [InlineData("sum by (jo")]
        [InlineData("up offset 5m")]
        [InlineData("count_values(\"ver")]
        public void WhereNoMetricNameCanStandNothingIsCompleted(string word)
        {
            Assert.False(MetricNameCompleter.TrySplitQuery(word, false, out _, out _));
        }

        [Theory]
        [InlineData("node", "None", "node")]
        [InlineData("kubernetes-pods", "None", "kubernetes-pods")]
        [InlineData("my job", "None", "'my job'")]
        [InlineData("it's", "None", "'it''s'")]
        [InlineData("1kb", "None", "'1kb'")]
        [InlineData("a`[1`]", "None", "'a`[1`]'")]
        [InlineData("node", "Double", "\"node\"")]
        [InlineData("a`[1`] $x", "Double", "\"a``[1``] `$x\"")]
        public void ValuesAreQuotedOnlyWhenABareWordWouldNotReadBack(string value, string quote, string text)
        {
            Assert.Equal(text, PowerShellQuoting.Quote(value, Enum.Parse<QuoteKind>(quote)));
        }
    }
}
