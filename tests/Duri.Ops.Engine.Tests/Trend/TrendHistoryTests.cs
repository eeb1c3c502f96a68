using System;
using System.Collections.Generic;
using System.Linq;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Trends;
using Xunit;

namespace Duri.Ops.Engine.Tests.Trend
{
    public class TrendHistoryTests
    {
        private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_764_300_000_000);

        private static PrometheusRangeSeries Range(string instance, IEnumerable<(int step, double value)> points) =>
            new PrometheusRangeSeries(
                LabelSet.Create(new[] { new KeyValuePair<string, string>("__name__", "duri_lyapunov_v"), new KeyValuePair<string, string>("instance", instance) }),
                points.Select(p => new PrometheusSample(Start.ToUnixTimeMilliseconds() + p.step * 5000L, p.value)).ToList());

        [Fact]
        public void Steps_without_a_sample_are_Missing_and_never_filled_in()
        {
            var series = Range("a", Enumerable.Range(0, 30).Where(i => i % 7 != 3).Select(i => (i, 0.2 - 0.001 * i)));
            var history = TrendHistory.FromRange(new[] { series }, Start, Start.AddSeconds(29 * 5), TimeSpan.FromSeconds(5), new TrendOptions());

            Assert.Equal(26, history.Summary.Samples);
            Assert.Equal(4, history.Summary.Missing);
            Assert.Equal(TrendVerdict.Falling, history.Summary.Verdict);
            Assert.Equal(' ', history.Summary.Sparkline[3]);
            Assert.Equal(0, history.SeveralSeriesSteps);
            Assert.Equal(string.Empty, history.Differences);
        }

        [Fact]
        public void Steps_where_several_series_have_a_value_are_Missing_and_the_differences_named()
        {
            var a = Range("a", Enumerable.Range(0, 20).Select(i => (i, 0.01 * i)));
            var b = Range("b", Enumerable.Range(10, 10).Select(i => (i, 5.0)));
            var history = TrendHistory.FromRange(new[] { a, b }, Start, Start.AddSeconds(19 * 5), TimeSpan.FromSeconds(5), new TrendOptions());

            Assert.Equal(10, history.Summary.Samples);
            Assert.Equal(10, history.Summary.Missing);
            Assert.Equal(10, history.SeveralSeriesSteps);
            Assert.Equal("{instance=\"a\"}; {instance=\"b\"}", history.Differences);
            Assert.Equal(0.09, history.Summary.Last, 12);
        }

        [Fact]
        public void The_grid_runs_from_start_to_end_by_step_including_trailing_gaps()
        {
            var series = Range("a", Enumerable.Range(0, 12).Select(i => (i, (double)i)));
            var history = TrendHistory.FromRange(new[] { series }, Start, Start.AddSeconds(99), TimeSpan.FromSeconds(5), new TrendOptions());
            Assert.Equal(20, history.Summary.Samples + history.Summary.Missing);
            Assert.Equal(8, history.Summary.Missing);
            Assert.Equal(Start.AddSeconds(95), history.Summary.End);
        }
    }

    public class TrendWatchTests
    {
        private static PrometheusQueryResult Vector(params (string instance, double value)[] samples)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(1_764_300_000_000);
            return new PrometheusQueryResult(PrometheusResultType.Vector)
            {
                Vector = samples.Select(s => new PrometheusVectorSample(
                    LabelSet.Create(new[] { new KeyValuePair<string, string>("instance", s.instance), new KeyValuePair<string, string>("metric_realm", "prod") }),
                    new PrometheusSample(at.ToUnixTimeMilliseconds(), s.value))).ToList(),
            };
        }

        [Fact]
        public void Polls_without_one_finite_value_are_Missing_with_their_reason()
        {
            var watch = new TrendWatch("duri_lyapunov_v", new TrendOptions { MinimumSamples = 3 });
            var start = DateTimeOffset.FromUnixTimeMilliseconds(1_764_300_000_000);
            var samples = new List<TrendSample>
            {
                watch.Add(start, Vector(("a", 0.3))),
                watch.Add(start.AddSeconds(1), Vector()),
                watch.Add(start.AddSeconds(2), Vector(("a", double.NaN))),
                watch.Add(start.AddSeconds(3), Vector(("a", 0.2), ("b", 0.2))),
                watch.Add(start.AddSeconds(4), Vector(("a", 0.2))),
                watch.Add(start.AddSeconds(5), Vector(("a", 0.1))),
            };

            Assert.Equal(new[] { TrendPollStatus.Value, TrendPollStatus.NoSeries, TrendPollStatus.NotFinite, TrendPollStatus.SeveralSeries, TrendPollStatus.Value, TrendPollStatus.Value },
                samples.Select(s => s.Status));
            Assert.Equal("{instance=\"a\"}; {instance=\"b\"}", samples[3].Detail);
            Assert.Equal(new[] { 1, 1, 1, 1, 2, 3 }, samples.Select(s => s.Samples));
            Assert.Equal(new[] { 0, 1, 2, 3, 3, 3 }, samples.Select(s => s.Missing));
            Assert.Equal(TrendVerdict.InsufficientData, samples[4].Verdict);
            Assert.Equal(-2.4, samples[5].SlopePerMinute, 10); // pair slopes -1.5, -2.4 and -6 per minute; their median

            var summary = watch.Summarize();
            Assert.Equal(3, summary.Samples);
            Assert.Equal(3, summary.Missing);
            Assert.Equal(1, watch.SeveralSeriesPolls);
            Assert.Equal("duri_lyapunov_v", summary.Query);
            Assert.True(watch.Points.Skip(1).Take(3).All(p => double.IsNaN(p.Value)));
        }
    }
}
