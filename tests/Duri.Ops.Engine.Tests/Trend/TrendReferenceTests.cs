using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Duri.Ops.Engine.Trends;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Trend
{
    /// <summary>
    /// The engine against SciPy's values for the same data (fixtures/trend-reference.json, written by
    /// fixtures/make_fixtures.py; the command is in that script).
    /// </summary>
    public class TrendReferenceTests
    {
        public static IEnumerable<object[]> Names() => Load().Select(s => new object[] { s.Name });

        [Theory]
        [MemberData(nameof(Names))]
        public void Matches_scipy(string name)
        {
            var reference = Load().Single(s => s.Name == name);
            var summary = TrendAnalyzer.Summarize(reference.Points, new TrendOptions());

            Assert.Equal(reference.Points.Count, summary.Samples);
            Assert.Equal(0, summary.Missing);
            AssertClose(reference.Expected("ols_slope"), summary.OlsSlopePerMinute, 1e-10);
            AssertClose(reference.Expected("ols_stderr"), summary.OlsStandardError, 1e-8);
            AssertClose(reference.Expected("theil_sen_slope"), summary.TheilSenSlopePerMinute, 1e-12);
            Assert.True(summary.TheilSenExact);
            Assert.Equal((long)reference.Expected("mk_s"), summary.MannKendall.S);
            AssertClose(reference.Expected("mk_tau"), summary.MannKendall.Tau, 1e-12);
            AssertClose(reference.Expected("mk_variance"), summary.MannKendall.Variance, 1e-12);
            AssertClose(reference.Expected("mk_z"), summary.MannKendall.Z, 1e-12);
            AssertClose(reference.Expected("mk_p"), summary.MannKendall.PValue, 1e-9);
            // kendalltau's own p-value: the same variance without the continuity correction.
            double uncorrected = Math.Min(1, 2 * Normal.UpperTail(Math.Abs(summary.MannKendall.S) / Math.Sqrt(summary.MannKendall.Variance)));
            AssertClose(reference.Expected("kendall_p"), uncorrected, 1e-9);
        }

        [Fact]
        public void Fixtures_cover_ties_tied_times_outliers_and_the_largest_exact_size()
        {
            var names = Load().Select(s => s.Name).ToList();
            Assert.Contains("ties-rounded-50", names);
            Assert.Contains("tied-times-50", names);
            Assert.Contains("outliers-30", names);
            Assert.Contains(Load(), s => (long)s.Points.Count * (s.Points.Count - 1) / 2 > 200_000);
        }

        private static void AssertClose(double expected, double actual, double relative)
        {
            // An absolute floor for values that are zero in exact arithmetic (the standard error of a straight line).
            double tolerance = Math.Max(relative * Math.Abs(expected), 1e-15);
            Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected:R}, got {actual:R} (relative tolerance {relative})");
        }

        internal sealed class ReferenceSeries
        {
            public string Name = string.Empty;
            public List<TrendPoint> Points = new List<TrendPoint>();
            public Dictionary<string, double> Values = new Dictionary<string, double>();

            public double Expected(string key) => Values[key];
        }

        private static List<ReferenceSeries>? _loaded;

        internal static List<ReferenceSeries> Load()
        {
            if (_loaded != null) return _loaded;
            string path = Path.Combine(RepositoryPaths.Root, "tests", "Duri.Ops.Engine.Tests", "Trend", "fixtures", "trend-reference.json");
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            long start = document.RootElement.GetProperty("start_ms").GetInt64();
            var list = new List<ReferenceSeries>();
            foreach (var element in document.RootElement.GetProperty("series").EnumerateArray())
            {
                var series = new ReferenceSeries { Name = element.GetProperty("name").GetString()! };
                var times = element.GetProperty("times").EnumerateArray().Select(t => t.GetInt64()).ToList();
                var values = element.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToList();
                for (int i = 0; i < times.Count; i++)
                {
                    series.Points.Add(new TrendPoint(DateTimeOffset.FromUnixTimeMilliseconds(start + times[i]), values[i]));
                }
                foreach (var property in element.GetProperty("expected").EnumerateObject()) series.Values[property.Name] = property.Value.GetDouble();
                list.Add(series);
            }
            return _loaded = list;
        }
    }
}
