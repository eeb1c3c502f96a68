using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Trends;

namespace Duri.Ops.Benchmarks
{
    /// <summary>
    /// The whole trend summary of 100,000 points (OLS, sampled Theil-Sen, exact Mann-Kendall, verdict, sparkline)
    /// against the naive O(n^2) Mann-Kendall alone (every pair's sign, then the same tie-corrected variance and p).
    /// Goal: at least 50x faster than the baseline.
    /// </summary>
    [MemoryDiagnoser]
    [SimpleJob(warmupCount: 1, iterationCount: 5)]
    public class TrendSummaryBenchmark
    {
        public const int PointCount = 100_000;

        private List<TrendPoint> _points = new List<TrendPoint>();
        private double[] _values = Array.Empty<double>();
        private readonly TrendOptions _options = new TrendOptions();

        [GlobalSetup]
        public void Setup()
        {
            _points = TrendBenchmarkData.Noisy(PointCount, seed: 20261128);
            _values = _points.Select(p => p.Value).ToArray();
            long fast = TrendAnalyzer.Summarize(_points, _options).MannKendall.S;
            long naive = NaiveS(_values);
            if (fast != naive) throw new InvalidOperationException($"Mann-Kendall S differs: {fast} against the naive {naive}.");
        }

        [Benchmark(Baseline = true)]
        public double NaiveMannKendall()
        {
            long s = NaiveS(_values);
            var ties = new Dictionary<double, long>();
            foreach (double v in _values) ties[v] = ties.TryGetValue(v, out long c) ? c + 1 : 1;
            double n = _values.Length, variance = n * (n - 1) * (2 * n + 5);
            foreach (long t in ties.Values) variance -= t * (t - 1.0) * (2 * t + 5);
            variance /= 18;
            double z = (s - Math.Sign(s)) / Math.Sqrt(variance);
            return 2 * Normal.UpperTail(Math.Abs(z));
        }

        [Benchmark]
        public TrendSummary Summarize() => TrendAnalyzer.Summarize(_points, _options);

        private static long NaiveS(double[] values)
        {
            long s = 0;
            for (int i = 0; i < values.Length - 1; i++)
            {
                double vi = values[i];
                for (int j = i + 1; j < values.Length; j++) s += Math.Sign(values[j] - vi);
            }
            return s;
        }
    }

    /// <summary>
    /// 24 h at 5 s (17,280 points): the trend summary of the series against parsing its range-query answer, built
    /// the way <see cref="RangeQueryParseBenchmark"/> builds one. Goal: the summary takes less time than the parse.
    /// </summary>
    [MemoryDiagnoser]
    [SimpleJob(warmupCount: 3, iterationCount: 15)]
    public class TrendDayBenchmark
    {
        public const int PointCount = 24 * 60 * 60 / 5;

        private byte[] _body = Array.Empty<byte>();
        private TrendPoint[] _points = Array.Empty<TrendPoint>();
        private readonly TrendOptions _options = new TrendOptions();

        [GlobalSetup]
        public void Setup()
        {
            _body = RangeQueryParseBenchmark.Generate(seed: 20261128, seriesCount: 1, PointCount, stepMilliseconds: 5_000, out var expected);
            var parsed = ParseRangeAnswer().Matrix[0].Samples;
            if (parsed.Count != PointCount || !parsed.SequenceEqual(expected[0]))
                throw new InvalidOperationException($"The answer parsed to {parsed.Count} samples, not the {PointCount} written.");
            // An array, as Get-DuriLyapunovTrend hands its history over.
            _points = parsed.Select(s => new TrendPoint(s.Timestamp, s.Value)).ToArray();
        }

        [Benchmark(Baseline = true)]
        public PrometheusQueryResult ParseRangeAnswer() =>
            ApiResponseParser.ParseEnvelope(_body, _body.Length, ApiResponseParser.ReadQueryData).Data!;

        [Benchmark]
        public TrendSummary Summarize() => TrendAnalyzer.Summarize(_points, _options);
    }

    internal static class TrendBenchmarkData
    {
        /// <summary>A slowly rising gauge at 5 s with noise, rounded to 4 decimals as an exporter would print it (so with ties).</summary>
        public static List<TrendPoint> Noisy(int count, int seed)
        {
            var random = new Random(seed);
            var start = DateTimeOffset.FromUnixTimeMilliseconds(1_764_300_000_000);
            var points = new List<TrendPoint>(count);
            for (int i = 0; i < count; i++)
            {
                double value = Math.Round(0.05 + 1e-7 * i + 0.01 * random.NextDouble(), 4);
                points.Add(new TrendPoint(start.AddMilliseconds(5_000L * i), value));
            }
            return points;
        }
    }
}
