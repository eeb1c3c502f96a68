using System;
using System.Linq;
using Duri.Ops.Engine.Prometheus;
using Xunit;

namespace Duri.Ops.Engine.Tests
{
    public class ExpositionReaderTests
    {
        [Fact]
        public void ReadsFamiliesWithHelpTypeLabelsAndTimestamps()
        {
            const string page = "# HELP duri_heartbeat_timestamp_seconds Writer's clock at the last beat.\\nSecond line \\\\ done\n"
                + "# TYPE duri_heartbeat_timestamp_seconds gauge\n"
                + "duri_heartbeat_timestamp_seconds{metric_realm=\"prod\",path=\"a\\\"b\\\\c\\nd\"} 1.7000000001e+09\n"
                + "# TYPE http_request_duration_seconds histogram\n"
                + "http_request_duration_seconds_bucket{le=\"0.1\"} 3\n"
                + "http_request_duration_seconds_bucket{le=\"+Inf\"} 5\n"
                + "http_request_duration_seconds_sum 1.5\n"
                + "http_request_duration_seconds_count 5\n"
                + "\n"
                + "# a free comment\n"
                + "untyped_thing NaN 1700000000123\n"
                + "other{a=\"1\",} -Inf\n";
            var families = ExpositionReader.Read(page);
            Assert.Equal(new[] { "duri_heartbeat_timestamp_seconds", "http_request_duration_seconds", "untyped_thing", "other" }, families.Select(f => f.Name));

            var heartbeat = families[0];
            Assert.Equal(MetricType.Gauge, heartbeat.Type);
            Assert.Equal("Writer's clock at the last beat.\nSecond line \\ done", heartbeat.Help);
            var sample = Assert.Single(heartbeat.Samples);
            Assert.Equal("prod", sample.Labels["metric_realm"]);
            Assert.Equal("a\"b\\c\nd", sample.Labels["path"]);
            Assert.Equal(1.7000000001e+09, sample.Value);
            Assert.Null(sample.Timestamp);

            var histogram = families[1];
            Assert.Equal(MetricType.Histogram, histogram.Type);
            Assert.Equal(4, histogram.Samples.Count);
            Assert.Equal("+Inf", histogram.Samples[1].Labels["le"]);

            var untyped = families[2];
            Assert.True(double.IsNaN(untyped.Samples[0].Value));
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000123), untyped.Samples[0].Timestamp);
            Assert.True(double.IsNegativeInfinity(families[3].Samples[0].Value));
        }

        [Theory]
        [InlineData("1metric 1", 1)]
        [InlineData("ok 1\nbad{a=\"x} 1", 2)]
        [InlineData("m{a=\"\\q\"} 1", 1)]
        [InlineData("m{1a=\"x\"} 1", 1)]
        [InlineData("m one", 1)]
        [InlineData("m 1 notatime", 1)]
        [InlineData("# TYPE m sometype", 1)]
        [InlineData("m{a=\"1\",a=\"2\"} 1", 1)]
        public void RejectsBadLinesWithTheirNumber(string page, int line)
        {
            var e = Assert.Throws<FormatException>(() => ExpositionReader.Read(page));
            Assert.StartsWith($"Line {line}:", e.Message);
        }
    }
}
