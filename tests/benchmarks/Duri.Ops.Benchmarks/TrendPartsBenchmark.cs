using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Trends;

namespace Duri.Ops.Benchmarks
{
    /// <summary>
    /// Informational: the parts of the 24 h at 5 s trend summary (<see cref="TrendDayBenchmark"/>) against the same
    /// parse, to show where the summary's time goes; a plain sort of the values for scale.
    /// </summary>
    [MemoryDiagnoser]
    [SimpleJob(warmupCount: 3, iterationCount: 15)]
    public class TrendPartsBenchmark
    {
        private byte[] _body = Array.Empty<byte>();
        private TrendPoint[] _points = Array.Empty<TrendPoint>();
        private double[] _x = Array.Empty<double>();
        private double[] _y = Array.Empty<double>();
        private double[] _work = Array.Empty<double>();
        private double[] _buffer = Array.Empty<double>();
        private readonly TrendOptions _options = new TrendOptions();

        [GlobalSetup]
        public void Setup()
        {
            _body = RangeQueryParseBenchmark.Generate(seed: 20261128, seriesCount: 1, TrendDayBenchmark.PointCount, stepMilliseconds: 5_000, out _);
            _points = ParseRangeAnswer().Matrix[0].Samples.Select(s => new TrendPoint(s.Timestamp, s.Value)).ToArray();
            var finite = _points.Where(p => p.HasValue).ToArray();
            _x = finite.Select(p => (p.Time - finite[0].Time).TotalMinutes).ToArray();
            _y = finite.Select(p => p.Value).ToArray();
            _work = new double[_y.Length];
            _buffer = new double[_y.Length];
        }

        [Benchmark(Baseline = true)]
        public PrometheusQueryResult ParseRangeAnswer() =>
            ApiResponseParser.ParseEnvelope(_body, _body.Length, ApiResponseParser.ReadQueryData).Data!;

        [Benchmark]
        public TrendSummary Summarize() => TrendAnalyzer.Summarize(_points, _options);

        [Benchmark]
        public double OrdinaryLeastSquares()
        {
            TrendStatistics.OrdinaryLeastSquares(_x, _y, _y.Length, out double slope, out _);
            return slope;
        }

        [Benchmark]
        public double TheilSen() => TrendStatistics.TheilSen(_x, _y, _y.Length, out _);

        [Benchmark]
        public MannKendallResult MannKendall() => TrendStatistics.MannKendall(_x, _y, _y.Length);

        [Benchmark]
        public long SortCountingInversions() => TrendStatistics.SortCountingInversions(_y, _buffer, _y.Length);

        [Benchmark]
        public double ArraySortOfValues()
        {
            Array.Copy(_y, _work, _y.Length);
            Array.Sort(_work, 0, _y.Length);
            return _work[0];
        }
    }
}
