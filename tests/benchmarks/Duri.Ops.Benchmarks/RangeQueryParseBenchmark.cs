using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Benchmarks
{
    /// <summary>
    /// Parsing a range-query answer of 100 series x 5,760 points (24 h at 15 s), as Prometheus 2.x writes it,
    /// with the client's parser against JsonDocument.Parse of the same bytes.
    /// Goal: no slower than the baseline and at most half its allocations.
    /// </summary>
    [MemoryDiagnoser]
    [SimpleJob(warmupCount: 3, iterationCount: 15)]
    public class RangeQueryParseBenchmark
    {
        public const int SeriesCount = 100;
        public const int PointsPerSeries = 24 * 60 * 60 / 15; // 5,760
        private const long StepMilliseconds = 15_000;
        private const long StartMilliseconds = 1_700_000_000_000;
        private const long OffsetStartMilliseconds = StartMilliseconds + 250; // written as 1700000000.250

        private byte[] _body = Array.Empty<byte>();
        private PrometheusSample[][] _expected = Array.Empty<PrometheusSample[]>();

        /// <summary>Size of the generated answer in bytes.</summary>
        public int PayloadBytes => _body.Length;

        [GlobalSetup]
        public void Setup()
        {
            _body = Generate(seed: 20240601, SeriesCount, PointsPerSeries, StepMilliseconds, out _expected);
            Verify();
        }

        [Benchmark(Baseline = true)]
        public JsonDocument JsonDocumentParse() => JsonDocument.Parse(_body);

        [Benchmark]
        public PrometheusQueryResult DuriClientParse() =>
            ApiResponseParser.ParseEnvelope(_body, _body.Length, ApiResponseParser.ReadQueryData).Data!;

        /// <summary>Informational: what JsonDocument costs when it is disposed and its pooled buffers go back.</summary>
        [Benchmark]
        public int JsonDocumentParseAndDispose()
        {
            using var document = JsonDocument.Parse(_body);
            return document.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
        }

        private void Verify()
        {
            var data = DuriClientParse();
            if (data.ResultType != PrometheusResultType.Matrix)
                throw new InvalidOperationException($"Expected a matrix, got {data.ResultType}.");
            if (data.Matrix.Count != SeriesCount)
                throw new InvalidOperationException($"Expected {SeriesCount} series, got {data.Matrix.Count}.");
            for (int s = 0; s < SeriesCount; s++)
            {
                var samples = data.Matrix[s].Samples;
                if (samples.Count != PointsPerSeries)
                    throw new InvalidOperationException($"Series {s}: expected {PointsPerSeries} samples, got {samples.Count}.");
                if (data.Matrix[s].Labels.Count < 3 || data.Matrix[s].Labels.Count > 5)
                    throw new InvalidOperationException($"Series {s}: {data.Matrix[s].Labels.Count} labels.");
                for (int p = 0; p < PointsPerSeries; p++)
                {
                    // Bitwise: exact milliseconds and the exact double that was written, NaN included.
                    if (!samples[p].Equals(_expected[s][p]))
                        throw new InvalidOperationException($"Series {s}, point {p}: parsed {samples[p]}, wrote {_expected[s][p]}.");
                }
            }
            using var document = JsonDocument.Parse(_body);
            if (document.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() != SeriesCount)
                throw new InvalidOperationException("JsonDocument disagrees on the series count.");
        }

        // ---- The answer, as Prometheus 2.x writes it -------------------------------------------------

        private enum SeriesKind
        {
            Ratio,       // SLO-style gauge, 7 decimals: 0.9993421
            Latency,     // scraped summary quantile: 0.012345
            Counter,     // large integer counter: 123456789
            Rate,        // rate()/avg output at full double precision: 45.67666666666667, 2345.3333333333335
            ErrorRatio,  // tiny ratios, which "R" would spell with an exponent: 0.00004567
            Quantile,    // histogram_quantile, full precision, NaN when there was no traffic
        }

        private static readonly string[] Jobs = { "api", "node", "prometheus", "checkout", "postgres" };
        private static readonly string[] Handlers = { "/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/metrics", "/-/ready" };
        private static readonly string[] Modes = { "idle", "user", "system", "iowait" };
        private static readonly string[] Devices = { "eth0", "eth1", "lo", "ens5" };

        /// <summary>A range-query answer of <paramref name="seriesCount"/> series (of six kinds in turn) with the given points each.</summary>
        internal static byte[] Generate(int seed, int seriesCount, int pointsPerSeries, long stepMilliseconds, out PrometheusSample[][] expected)
        {
            var random = new Random(seed);
            var json = new StringBuilder(seriesCount * pointsPerSeries * 40);
            expected = new PrometheusSample[seriesCount][];
            json.Append("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
            for (int s = 0; s < seriesCount; s++)
            {
                if (s > 0) json.Append(',');
                var kind = (SeriesKind)(s % 6);
                json.Append("{\"metric\":");
                AppendLabels(json, Labels(kind, s));
                json.Append(",\"values\":[");
                // Half the series are evaluated at a start with a non-zero millisecond part.
                long start = s % 2 == 0 ? StartMilliseconds : OffsetStartMilliseconds;
                var samples = new PrometheusSample[pointsPerSeries];
                double counter = 123_456_789 + random.Next(0, 1_000_000_000);
                for (int p = 0; p < pointsPerSeries; p++)
                {
                    long ms = start + p * stepMilliseconds;
                    double value = NextValue(kind, random, ref counter);
                    samples[p] = new PrometheusSample(ms, value);
                    if (p > 0) json.Append(',');
                    json.Append('[');
                    AppendTimestamp(json, ms);
                    json.Append(",\"");
                    json.Append(FormatGoFloat(value));
                    json.Append("\"]");
                }
                expected[s] = samples;
                json.Append("]}");
            }
            json.Append("]}}");
            return Encoding.UTF8.GetBytes(json.ToString());
        }

        private static double NextValue(SeriesKind kind, Random random, ref double counter)
        {
            switch (kind)
            {
                case SeriesKind.Ratio:
                    return Math.Round(0.999 + random.NextDouble() * 0.001, 7);
                case SeriesKind.Latency:
                    return Math.Round(0.002 + random.NextDouble() * 0.05, 6);
                case SeriesKind.Counter:
                    counter += random.Next(0, 250_000);
                    return counter;
                case SeriesKind.Rate:
                    return random.Next(1, 3_000_000) / 300.0;
                case SeriesKind.ErrorRatio:
                    return random.Next(0, 10) == 0 ? 0 : Math.Round(random.NextDouble() * 0.0001, 8);
                default:
                    if (random.Next(0, 50) == 0) return double.NaN;
                    return 0.1 + random.Next(1, 1000) / 2100.0;
            }
        }

        private static List<KeyValuePair<string, string>> Labels(SeriesKind kind, int s)
        {
            string instance = $"10.0.{s / 16}.{10 + s % 16}:{(kind == SeriesKind.Counter || kind == SeriesKind.Rate ? 9100 : 8080)}";
            string job = Jobs[s % Jobs.Length];
            var labels = new List<KeyValuePair<string, string>>();
            void Add(string name, string value) => labels.Add(new KeyValuePair<string, string>(name, value));
            switch (kind)
            {
                case SeriesKind.Ratio:
                    Add("__name__", "slo:availability:ratio_rate5m");
                    Add("instance", instance);
                    Add("job", job);
                    Add("service", "svc-" + (s % 7).ToString(CultureInfo.InvariantCulture));
                    break;
                case SeriesKind.Latency:
                    Add("__name__", "http_request_duration_seconds");
                    Add("handler", Handlers[s % Handlers.Length]);
                    Add("instance", instance);
                    Add("job", job);
                    Add("quantile", "0.99");
                    break;
                case SeriesKind.Counter:
                    Add("__name__", "node_network_receive_bytes_total");
                    Add("device", Devices[s % Devices.Length]);
                    Add("instance", instance);
                    Add("job", "node");
                    break;
                case SeriesKind.Rate:
                    // rate() drops the metric name.
                    Add("cpu", (s % 8).ToString(CultureInfo.InvariantCulture));
                    Add("instance", instance);
                    Add("job", "node");
                    Add("mode", Modes[s % Modes.Length]);
                    break;
                case SeriesKind.ErrorRatio:
                    Add("__name__", "job:http_errors:ratio_rate5m");
                    Add("instance", instance);
                    Add("job", job);
                    break;
                default:
                    // histogram_quantile drops the metric name too.
                    Add("handler", Handlers[s % Handlers.Length]);
                    Add("instance", instance);
                    Add("job", job);
                    break;
            }
            // Prometheus writes the labels sorted by name.
            labels.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            return labels;
        }

        private static void AppendLabels(StringBuilder json, List<KeyValuePair<string, string>> labels)
        {
            json.Append('{');
            for (int i = 0; i < labels.Count; i++)
            {
                if (i > 0) json.Append(',');
                json.Append('"').Append(labels[i].Key).Append("\":\"").Append(labels[i].Value).Append('"');
            }
            json.Append('}');
        }

        /// <summary>Integer seconds, then "." and exactly three digits only when the millisecond part is not zero.</summary>
        private static void AppendTimestamp(StringBuilder json, long ms)
        {
            json.Append((ms / 1000).ToString(CultureInfo.InvariantCulture));
            long fraction = ms % 1000;
            if (fraction != 0) json.Append('.').Append(fraction.ToString("000", CultureInfo.InvariantCulture));
        }

        /// <summary>Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent.</summary>
        private static string FormatGoFloat(double value)
        {
            if (double.IsNaN(value)) return "NaN";
            if (double.IsPositiveInfinity(value)) return "+Inf";
            if (double.IsNegativeInfinity(value)) return "-Inf";
            string r = value.ToString("R", CultureInfo.InvariantCulture);
            int e = r.IndexOf('E');
            if (e < 0) return r;
            // Move the decimal point of the shortest digits instead of using the exponent.
            bool negative = r[0] == '-';
            string mantissa = r.Substring(negative ? 1 : 0, e - (negative ? 1 : 0));
            int exponent = int.Parse(r.Substring(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            int dot = mantissa.IndexOf('.');
            string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
            int pointAt = (dot < 0 ? mantissa.Length : dot) + exponent; // digits before the decimal point
            string plain;
            if (pointAt <= 0) plain = "0." + new string('0', -pointAt) + digits;
            else if (pointAt >= digits.Length) plain = digits + new string('0', pointAt - digits.Length);
            else plain = digits.Substring(0, pointAt) + "." + digits.Substring(pointAt);
            return negative ? "-" + plain : plain;
        }
    }
}
