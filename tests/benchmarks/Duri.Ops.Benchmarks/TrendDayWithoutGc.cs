using System;
using System.Diagnostics;
using System.Linq;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Trends;

namespace Duri.Ops.Benchmarks
{
    /// <summary>
    /// A second view of <see cref="TrendDayBenchmark"/>: the parse's mean there includes collecting the 1.3 MB it
    /// allocates, the summary's does not. Here each parse and each summary runs in a no-GC region, so both figures are
    /// their own work alone; and each run takes the next of eight different series (other seeds), so that neither
    /// profits from a branch predictor that has learnt one series by heart.
    /// </summary>
    public static class TrendDayWithoutGc
    {
        public const string Switch = "--trend-day-without-gc";

        public static void Run(int rounds = 400)
        {
            const int seriesCount = 8;
            var bodies = new byte[seriesCount][];
            var points = new TrendPoint[seriesCount][];
            for (int s = 0; s < seriesCount; s++)
            {
                bodies[s] = RangeQueryParseBenchmark.Generate(seed: 20261128 + s, seriesCount: 1, TrendDayBenchmark.PointCount, stepMilliseconds: 5_000, out var expected);
                points[s] = expected[0].Select(p => new TrendPoint(p.Timestamp, p.Value)).ToArray();
            }
            var options = new TrendOptions();
            var parse = new double[rounds];
            var summary = new double[rounds];
            for (int round = -rounds / 4; round < rounds; round++)
            {
                int s = (round + rounds) % seriesCount;
                double parsed = TimeWithoutGc(() => ApiResponseParser.ParseEnvelope(bodies[s], bodies[s].Length, ApiResponseParser.ReadQueryData));
                double summarized = TimeWithoutGc(() => TrendAnalyzer.Summarize(points[s], options));
                if (round < 0) continue; // warm-up
                parse[round] = parsed;
                summary[round] = summarized;
            }
            Array.Sort(parse);
            Array.Sort(summary);
            Console.WriteLine($"24 h at 5 s ({TrendDayBenchmark.PointCount:N0} points), {rounds} rounds over {seriesCount} series, each run in a no-GC region:");
            Console.WriteLine($"{"",-10} {"parse (us)",12} {"summary (us)",13} {"ratio",7}");
            foreach (var (name, at) in new[] { ("fastest", 0.0), ("median", 0.5), ("p90", 0.9) })
            {
                int i = (int)(at * (rounds - 1));
                Console.WriteLine($"{name,-10} {parse[i],12:0.0} {summary[i],13:0.0} {summary[i] / parse[i],7:0.00}");
            }
        }

        private static double TimeWithoutGc(Func<object> work)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            if (!GC.TryStartNoGCRegion(64L << 20)) throw new InvalidOperationException("Could not enter a no-GC region.");
            long start = Stopwatch.GetTimestamp();
            GC.KeepAlive(work());
            long end = Stopwatch.GetTimestamp();
            GC.EndNoGCRegion();
            return (end - start) * 1e6 / Stopwatch.Frequency;
        }
    }
}
