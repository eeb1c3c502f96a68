using System;
using System.Collections.Generic;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>The <c>resultType</c> of a query answer.</summary>
    public enum PrometheusResultType
    {
        Vector,
        Matrix,
        Scalar,
        String,
    }

    /// <summary>One element of an instant query: a series' labels and its sample at the evaluation time.</summary>
    public sealed class PrometheusVectorSample
    {
        public PrometheusVectorSample(LabelSet labels, PrometheusSample sample)
        {
            Labels = labels;
            Sample = sample;
        }

        public string Metric => Labels.MetricName;

        public LabelSet Labels { get; }

        public DateTimeOffset Timestamp => Sample.Timestamp;

        public double Value => Sample.Value;

        public PrometheusSample Sample { get; }

        /// <summary>The query that produced this sample.</summary>
        public string Query { get; set; } = string.Empty;

        /// <summary>The server this sample came from, so that it pipes into the next querying cmdlet.</summary>
        public PrometheusConnection? Prometheus { get; set; }

        public override string ToString() => Labels + " " + PrometheusValue.Format(Value);
    }

    /// <summary>One series of a range query with its samples in time order.</summary>
    public sealed class PrometheusRangeSeries
    {
        public PrometheusRangeSeries(LabelSet labels, IReadOnlyList<PrometheusSample> samples)
        {
            Labels = labels;
            Samples = samples;
        }

        public string Metric => Labels.MetricName;

        public LabelSet Labels { get; }

        public IReadOnlyList<PrometheusSample> Samples { get; }

        public int Count => Samples.Count;

        public DateTimeOffset? First => Samples.Count > 0 ? Samples[0].Timestamp : (DateTimeOffset?)null;

        public DateTimeOffset? Last => Samples.Count > 0 ? Samples[Samples.Count - 1].Timestamp : (DateTimeOffset?)null;

        public double LastValue => Samples.Count > 0 ? Samples[Samples.Count - 1].Value : double.NaN;

        public string Query { get; set; } = string.Empty;

        public PrometheusConnection? Prometheus { get; set; }

        public override string ToString() => Labels + " (" + Samples.Count + " samples)";
    }

    /// <summary>A whole query answer: exactly one of Vector, Matrix, Scalar or String is set by ResultType.</summary>
    public sealed class PrometheusQueryResult
    {
        internal PrometheusQueryResult(PrometheusResultType resultType)
        {
            ResultType = resultType;
        }

        public PrometheusResultType ResultType { get; }

        public IReadOnlyList<PrometheusVectorSample> Vector { get; internal set; } = Array.Empty<PrometheusVectorSample>();

        public IReadOnlyList<PrometheusRangeSeries> Matrix { get; internal set; } = Array.Empty<PrometheusRangeSeries>();

        public PrometheusSample? Scalar { get; internal set; }

        public string? String { get; internal set; }

        public DateTimeOffset? StringTimestamp { get; internal set; }

        /// <summary>Native-histogram samples are not modelled yet; how many series carried them.</summary>
        public int SkippedHistogramSeries { get; internal set; }

        public IReadOnlyList<string> Warnings { get; internal set; } = Array.Empty<string>();
    }
}
