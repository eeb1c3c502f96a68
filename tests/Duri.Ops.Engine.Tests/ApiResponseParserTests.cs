using System;
using System.Linq;
using System.Text;
using Duri.Ops.Engine.Prometheus;
using Xunit;

namespace Duri.Ops.Engine.Tests
{
    public class ApiResponseParserTests
    {
        private static ApiResponse<T> Parse<T>(string json, ApiResponseParser.DataReader<T> reader)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            return ApiResponseParser.ParseEnvelope(bytes, bytes.Length, reader);
        }

        [Fact]
        public void ReadsAVectorWithExactValuesAndLabels()
        {
            var json = @"{""status"":""success"",""data"":{""resultType"":""vector"",""result"":[
                {""metric"":{""__name__"":""up"",""job"":""node"",""path"":""C:\\tmp \""x\"" \u00e9\ud83d\ude00""},""value"":[1700000000.123,""1""]},
                {""metric"":{},""value"":[1700000000.123,""NaN""]},
                {""metric"":{""a"":""b""},""value"":[1700000000,""+Inf""]},
                {""metric"":{""a"":""c""},""value"":[1700000000,""-Inf""]}]},""warnings"":[""partial answer""]}";
            var response = Parse(json, ApiResponseParser.ReadQueryData);
            Assert.True(response.IsSuccess);
            Assert.Equal(new[] { "partial answer" }, response.Warnings);
            var result = response.Data!;
            Assert.Equal(PrometheusResultType.Vector, result.ResultType);
            Assert.Equal(4, result.Vector.Count);
            var first = result.Vector[0];
            Assert.Equal("up", first.Metric);
            Assert.Equal("C:\\tmp \"x\" \u00e9\ud83d\ude00", first.Labels["path"]);
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000123), first.Timestamp);
            Assert.Equal(1.0, first.Value);
            Assert.True(double.IsNaN(result.Vector[1].Value));
            Assert.Same(LabelSet.Empty, result.Vector[1].Labels);
            Assert.True(double.IsPositiveInfinity(result.Vector[2].Value));
            Assert.True(double.IsNegativeInfinity(result.Vector[3].Value));
        }

        [Fact]
        public void ReadsAMatrixInOrder()
        {
            var json = @"{""status"":""success"",""data"":{""resultType"":""matrix"",""result"":[
                {""metric"":{""__name__"":""x""},""values"":[[1,""0.5""],[2,""1e-3""],[3.5,""-0""]]},
                {""metric"":{""__name__"":""y""},""values"":[]}]}}";
            var result = Parse(json, ApiResponseParser.ReadQueryData).Data!;
            Assert.Equal(PrometheusResultType.Matrix, result.ResultType);
            Assert.Equal(2, result.Matrix.Count);
            var x = result.Matrix[0];
            Assert.Equal(new[] { 1000L, 2000L, 3500L }, x.Samples.Select(s => s.UnixTimeMilliseconds));
            Assert.Equal(new[] { 0.5, 0.001, 0.0 }, x.Samples.Select(s => s.Value));
            Assert.True(double.IsNegative(x.Samples[2].Value));
            Assert.Equal(0, result.Matrix[1].Count);
            Assert.Null(result.Matrix[1].First);
            Assert.True(double.IsNaN(result.Matrix[1].LastValue));
        }

        [Fact]
        public void CountsNativeHistogramSeriesItDoesNotRead()
        {
            var json = @"{""status"":""success"",""data"":{""resultType"":""vector"",""result"":[
                {""metric"":{""__name__"":""h""},""histogram"":[1,{""count"":""3"",""sum"":""1"",""buckets"":[[0,""0"",""1"",""3""]]}]},
                {""metric"":{""__name__"":""g""},""value"":[1,""2""]}]}}";
            var result = Parse(json, ApiResponseParser.ReadQueryData).Data!;
            Assert.Single(result.Vector);
            Assert.Equal(1, result.SkippedHistogramSeries);
        }

        [Fact]
        public void ReadsScalarAndString()
        {
            var scalar = Parse(@"{""status"":""success"",""data"":{""resultType"":""scalar"",""result"":[1700000000.5,""42""]}}", ApiResponseParser.ReadQueryData).Data!;
            Assert.Equal(PrometheusResultType.Scalar, scalar.ResultType);
            Assert.Equal(new PrometheusSample(1700000000500, 42), scalar.Scalar!.Value);

            var text = Parse(@"{""status"":""success"",""data"":{""resultType"":""string"",""result"":[1700000000,""hello""]}}", ApiResponseParser.ReadQueryData).Data!;
            Assert.Equal("hello", text.String);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), text.StringTimestamp);
        }

        [Fact]
        public void SurfacesApiErrors()
        {
            var response = Parse(@"{""status"":""error"",""errorType"":""bad_data"",""error"":""1:5: parse error: unexpected end of input""}", ApiResponseParser.ReadQueryData);
            Assert.False(response.IsSuccess);
            Assert.Equal("bad_data", response.ErrorType);
            Assert.Equal("1:5: parse error: unexpected end of input", response.Error);
        }

        [Theory]
        [InlineData("")]
        [InlineData("{}")]
        [InlineData(@"{""status"":""success"",""data"":{""resultType"":""vector"",""result"":[{""metric"":{},""value"":[1,""x""]}]}}")]
        [InlineData(@"{""status"":""success"",""data"":{""resultType"":""vector"",""result"":[{""metric"":{},""value"":[1,""1""]}")]
        [InlineData(@"{""status"":""success"",""data"":{""resultType"":""bogus"",""result"":[]}}")]
        [InlineData(@"{""status"":""success"" ""data"":null}")]
        [InlineData(@"{""status"":""success"",,""data"":null}")]
        [InlineData(@"{""status"":""success""} trailing")]
        [InlineData(@"{""status"":""success"",""data"":{""resultType"":""vector"",""result"":[{""metric"":{""a"":""b"",""a"":""c""},""value"":[1,""1""]}]}}")]
        [InlineData(@"{""status"":""success"",""data"":{""resultType"":""matrix"",""result"":[{""metric"":{},""values"":[[1,""1""],]}]}}")]
        public void RejectsWhatIsNotAnApiAnswer(string json)
        {
            Assert.ThrowsAny<Exception>(() =>
            {
                var response = Parse(json, ApiResponseParser.ReadQueryData);
                if (response.Data == null) throw new InvalidOperationException("no data");
            });
        }

        [Fact]
        public void ALabelNameThatAppearsTwiceIsMalformedJsonNamingTheLabel()
        {
            const string json = @"{""status"":""success"",""data"":{""resultType"":""vector"",""result"":[{""metric"":{""job"":""a"",""job"":""b""},""value"":[1,""1""]}]}}";
            var e = Assert.Throws<JsonScanException>(() => Parse(json, ApiResponseParser.ReadQueryData));
            Assert.Equal("Label 'job' appears twice in one label set at byte 70.", e.Message);
        }

        [Fact]
        public void NeverCrashesOnMutatedAnswers()
        {
            const string valid = @"{""status"":""success"",""data"":{""resultType"":""matrix"",""result"":[{""metric"":{""__name__"":""x"",""job"":""a\""b""},""values"":[[1700000000.1,""0.5""],[1700000001,""NaN""]]}]},""warnings"":[""w""]}";
            var random = new Random(7);
            const string alphabet = "{}[]\",:\\0123456789.eE+-ntrufalsNaI ";
            for (int i = 0; i < 20_000; i++)
            {
                var chars = valid.ToCharArray().ToList();
                int edits = random.Next(1, 4);
                for (int e = 0; e < edits; e++)
                {
                    int at = random.Next(chars.Count);
                    switch (random.Next(3))
                    {
                        case 0: chars.RemoveAt(at); break;
                        case 1: chars.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                        default: chars[at] = alphabet[random.Next(alphabet.Length)]; break;
                    }
                }
                var bytes = Encoding.UTF8.GetBytes(new string(chars.ToArray()));
                try
                {
                    ApiResponseParser.ParseEnvelope(bytes, bytes.Length, ApiResponseParser.ReadQueryData);
                }
                catch (JsonScanException)
                {
                }
                catch (ArgumentException)
                {
                    Assert.Fail("Label errors must surface as JsonScanException: " + new string(chars.ToArray()));
                }
            }
        }

        [Fact]
        public void CompactAndSpacedSamplesReadTheSame()
        {
            // The compact form Prometheus writes takes the scanner's fast path; spaced, escaped or odd
            // spellings take the general one. Both must give the same samples, bit for bit.
            string[] times = { "1700000000", "1700000000.250", "1700000000.25", "1700000000.2", "1700000000.2505", "0", "999999999999999", "1700000000123456", "-1.5" };
            string[] values = { "0.5", "12", "NaN", "+Inf", "-Inf", "nan", "inf", "1e5", "-0", "45.676666666666669", "2345.3333333333335", "0.00004567", "123456789" };
            var random = new Random(5);
            for (int round = 0; round < 200; round++)
            {
                var compact = new StringBuilder();
                var spaced = new StringBuilder();
                for (int i = 0; i < 20; i++)
                {
                    string t = times[random.Next(times.Length)], v = values[random.Next(values.Length)];
                    if (i > 0) { compact.Append(','); spaced.Append(" ,\n "); }
                    compact.Append('[').Append(t).Append(",\"").Append(v).Append("\"]");
                    spaced.Append("[ ").Append(t).Append(" , \"").Append(v.Replace("5", "\\u0035")).Append("\" ]");
                }
                var a = ReadMatrixValues(compact.ToString());
                var b = ReadMatrixValues(spaced.ToString());
                Assert.Equal(20, a.Length);
                Assert.Equal(a, b); // PrometheusSample equality is bitwise
            }
        }

        [Theory]
        [InlineData("[1700000000,\"0.5\"],[1700000015,\"x\"]", "Invalid sample value at byte 123.")]
        [InlineData("[1700000000,\"0.5\"][1700000015,\"1\"]", "Expected ',' or ']' at byte 110.")]
        [InlineData("[1700000000,\"0.5\"],[1700000015,\"1\"", "Expected ',' or ']' at byte 127.")]
        [InlineData("[1700000000,\"0.5\"],[1700000015.,\"1\"]", "Invalid timestamp at byte 112.")]
        [InlineData("[1700000000,\"0.5\"],[1700000015,\"1\u0001\"]", "Control character in string at byte 125.")]
        public void SampleErrorsPointAtTheSampleInTheCompactFormToo(string samples, string message)
        {
            var e = Assert.Throws<JsonScanException>(() => ReadMatrixValues(samples));
            Assert.Equal(message, e.Message);
        }

        private static PrometheusSample[] ReadMatrixValues(string samples)
        {
            var json = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"job\":\"j\"},\"values\":[" + samples + "]}]}}";
            var series = Parse(json, ApiResponseParser.ReadQueryData).Data!.Matrix.Single();
            return series.Samples.ToArray();
        }

        [Fact]
        public void ReadsTargets()
        {
            var json = @"{""status"":""success"",""data"":{""activeTargets"":[{""discoveredLabels"":{""__address__"":""127.0.0.1:9100"",""job"":""node""},
                ""labels"":{""instance"":""127.0.0.1:9100"",""job"":""node""},""scrapePool"":""node"",""scrapeUrl"":""http://127.0.0.1:9100/metrics"",
                ""globalUrl"":""http://host:9100/metrics"",""lastError"":""connection refused"",""lastScrape"":""2026-11-28T16:00:00.123456789Z"",
                ""lastScrapeDuration"":0.002512,""health"":""down"",""scrapeInterval"":""1s"",""scrapeTimeout"":""1s""},
                {""labels"":{""job"":""p""},""scrapePool"":""p"",""health"":""unknown"",""lastScrape"":""0001-01-01T00:00:00Z"",""lastScrapeDuration"":0,""lastError"":""""}],
                ""droppedTargets"":[{""discoveredLabels"":{""job"":""x""}}]}}";
            var targets = Parse(json, ApiResponseParser.ReadActiveTargets).Data!;
            Assert.Equal(2, targets.Count);
            var node = targets[0];
            Assert.Equal("node", node.Job);
            Assert.Equal("127.0.0.1:9100", node.Instance);
            Assert.Equal(TargetHealth.Down, node.Health);
            Assert.Equal("connection refused", node.LastError);
            Assert.Equal(new DateTimeOffset(2026, 11, 28, 16, 0, 0, 123, TimeSpan.Zero).AddTicks(4568), node.LastScrape);
            Assert.Equal(TimeSpan.FromTicks(25120), node.ScrapeDuration);
            Assert.Equal(TimeSpan.FromSeconds(1), node.ScrapeInterval);
            Assert.Equal("127.0.0.1:9100", node.DiscoveredLabels["__address__"]);
            Assert.Equal(TargetHealth.Unknown, targets[1].Health);
            Assert.Null(targets[1].LastScrape);
        }

        [Fact]
        public void ReadsRuleGroups()
        {
            var json = @"{""status"":""success"",""data"":{""groups"":[{""name"":""duri"",""file"":""/etc/rules/a.yml"",""interval"":30,""limit"":0,
                ""evaluationTime"":0.0005,""lastEvaluation"":""2026-11-28T16:00:00Z"",""rules"":[
                {""name"":""duri_ok"",""query"":""up == 1"",""health"":""ok"",""evaluationTime"":0.0001,""lastEvaluation"":""2026-11-28T16:00:00Z"",""type"":""recording"",""labels"":null},
                {""state"":""firing"",""name"":""DuriDown"",""query"":""up == 0"",""duration"":60,""labels"":{""severity"":""page""},""annotations"":{""summary"":""down""},
                 ""alerts"":[{""labels"":{""alertname"":""DuriDown""},""state"":""firing"",""activeAt"":""2026-11-28T15:59:00Z"",""value"":""0e+00""}],
                 ""health"":""err"",""lastError"":""boom"",""evaluationTime"":0.0002,""lastEvaluation"":""2026-11-28T16:00:00Z"",""type"":""alerting""}]}]}}";
            var groups = Parse(json, ApiResponseParser.ReadRuleGroups).Data!;
            var group = Assert.Single(groups);
            Assert.Equal("duri", group.Name);
            Assert.Equal(TimeSpan.FromSeconds(30), group.Interval);
            Assert.Equal(2, group.Rules.Count);
            Assert.Equal("recording", group.Rules[0].Type);
            Assert.Same(LabelSet.Empty, group.Rules[0].Labels);
            var alert = group.Rules[1];
            Assert.Equal("firing", alert.State);
            Assert.Equal("err", alert.Health);
            Assert.Equal("boom", alert.LastError);
            Assert.Equal(TimeSpan.FromMinutes(1), alert.Duration);
            Assert.Equal("page", alert.Labels["severity"]);
        }

        [Fact]
        public void ReadsStatusEndpoints()
        {
            var build = Parse(@"{""status"":""success"",""data"":{""version"":""2.42.0"",""revision"":""abc"",""branch"":""HEAD"",""buildUser"":""u"",""buildDate"":""20230201"",""goVersion"":""go1.19""}}", ApiResponseParser.ReadBuildInfo).Data!;
            Assert.Equal("2.42.0", build.Version);
            Assert.Equal("go1.19", build.GoVersion);

            var runtime = Parse(@"{""status"":""success"",""data"":{""startTime"":""2026-11-28T15:00:00Z"",""CWD"":""/"",""reloadConfigSuccess"":false,""lastConfigTime"":""2026-11-28T15:30:00Z"",""corruptionCount"":0,""goroutineCount"":42,""GOMAXPROCS"":2,""GOGC"":"""",""GODEBUG"":"""",""storageRetention"":""15d""}}", ApiResponseParser.ReadRuntimeInfo).Data!;
            Assert.False(runtime.ReloadConfigSuccess);
            Assert.Equal(new DateTimeOffset(2026, 11, 28, 15, 30, 0, TimeSpan.Zero), runtime.LastConfigTime);
            Assert.Equal(42, runtime.GoroutineCount);
            Assert.Equal("15d", runtime.StorageRetention);

            var yaml = Parse(@"{""status"":""success"",""data"":{""yaml"":""global:\n  scrape_interval: 1s\n""}}", ApiResponseParser.ReadConfigYaml).Data!;
            Assert.Equal("global:\n  scrape_interval: 1s\n", yaml);

            var series = Parse(@"{""status"":""success"",""data"":[{""__name__"":""up"",""job"":""a""},{""__name__"":""up"",""job"":""b""}]}", ApiResponseParser.ReadLabelSetArray).Data!;
            Assert.Equal(new[] { "a", "b" }, series.Select(s => s["job"]));

            var values = Parse(@"{""status"":""success"",""data"":[""node"",""prometheus""]}", ApiResponseParser.ReadStrings).Data!;
            Assert.Equal(new[] { "node", "prometheus" }, values);
        }
    }
}
