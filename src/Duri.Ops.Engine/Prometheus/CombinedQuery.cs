using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>
    /// Several PromQL expressions answered by one request, all at the same instant (or over the same range). Each part's
    /// series get the part's number in <see cref="PartLabel"/> and the parts are joined with <c>or</c>: no series of one part
    /// can then match a series of another, so <c>or</c> drops none, and the answer splits back into the parts.
    /// </summary>
    internal sealed class CombinedQuery
    {
        internal const string PartLabel = "duri_part";

        private readonly List<string> _parts = new List<string>();
        private readonly Dictionary<string, int> _partOf = new Dictionary<string, int>(StringComparer.Ordinal);

        /// <summary>Adds an instant-vector expression; returns its part number. An expression added before is asked once.</summary>
        public int Add(string expression)
        {
            if (_partOf.TryGetValue(expression, out int part)) return part;
            _parts.Add(expression);
            _partOf.Add(expression, _parts.Count - 1);
            return _parts.Count - 1;
        }

        /// <summary>The query. label_replace with ".*" on __name__ matches every series, also those without a name.</summary>
        public string Text
        {
            get
            {
                var text = new StringBuilder();
                for (int part = 0; part < _parts.Count; part++)
                {
                    if (part > 0) text.Append(" or ");
                    text.Append("label_replace(").Append(_parts[part]).Append(", \"").Append(PartLabel).Append("\", \"")
                        .Append(part.ToString(CultureInfo.InvariantCulture)).Append("\", \"__name__\", \".*\")");
                }
                return text.ToString();
            }
        }

        /// <summary>The parts at <paramref name="at"/>, in one instant query.</summary>
        public async Task<CombinedAnswer> QueryAsync(PrometheusConnection connection, DateTimeOffset at, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var result = await connection.QueryAsync(Text, at, timeout, cancellationToken).ConfigureAwait(false);
            var unusable = Unusable(result);
            if (unusable != null)
                throw new PrometheusException(PrometheusErrorKind.QueryFailed, new Uri(connection.Client.BaseUri, "api/v1/query"), unusable + ".") { Warnings = result.Warnings };
            var parts = new List<PrometheusVectorSample>[_parts.Count];
            for (int part = 0; part < parts.Length; part++) parts[part] = new List<PrometheusVectorSample>(1);
            foreach (var sample in result.Vector)
            {
                int part = PartOf(sample.Labels, parts.Length, out var labels);
                if (part >= 0) parts[part].Add(new PrometheusVectorSample(labels, sample.Sample));
            }
            return new CombinedAnswer(result.ResultType, parts);
        }

        /// <summary>
        /// Why an answer cannot decide anything, or null. The server's warnings say that it may be incomplete (a partial
        /// response from Thanos, say); native histograms are left out by the parser, so a second series could hide among them.
        /// </summary>
        public static string? Unusable(PrometheusQueryResult result)
        {
            if (result.Warnings.Count > 0)
                return "The server warned that its answer may be incomplete (" + string.Join("; ", result.Warnings) + "), and nothing can pass on part of the data";
            if (result.SkippedHistogramSeries > 0)
                return $"The answer held {result.SkippedHistogramSeries} native histogram series, which cannot be judged against a threshold; gate on a float series";
            return null;
        }

        /// <summary>A range answer's series by part, each without the part label; series of no part are left out.</summary>
        public static List<PrometheusRangeSeries>[] Split(IReadOnlyList<PrometheusRangeSeries> matrix, int count)
        {
            var parts = new List<PrometheusRangeSeries>[count];
            for (int part = 0; part < count; part++) parts[part] = new List<PrometheusRangeSeries>(1);
            foreach (var series in matrix)
            {
                int part = PartOf(series.Labels, count, out var labels);
                if (part >= 0) parts[part].Add(new PrometheusRangeSeries(labels, series.Samples));
            }
            return parts;
        }

        /// <summary>
        /// True when the server refused the expression itself rather than failing to answer: bad_data (it does not parse or
        /// type-check on this server) or execution (such as a part whose series collide). One part's refusal is then every
        /// part's, and only asking the parts alone tells whose it is.
        /// </summary>
        public static bool IsRefused(PrometheusException failure) =>
            failure.Kind == PrometheusErrorKind.QueryFailed && (failure.ErrorType == "bad_data" || failure.ErrorType == "execution");

        private static int PartOf(LabelSet labels, int count, out LabelSet untagged)
        {
            untagged = labels.Without(PartLabel);
            return labels.TryGetValue(PartLabel, out var text)
                && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int part) && part < count
                ? part
                : -1;
        }
    }

    /// <summary>A combined query's answer: each part's series without the part label.</summary>
    internal sealed class CombinedAnswer
    {
        private readonly IReadOnlyList<PrometheusVectorSample>[] _parts;

        internal CombinedAnswer(PrometheusResultType resultType, IReadOnlyList<PrometheusVectorSample>[] parts)
        {
            ResultType = resultType;
            _parts = parts;
        }

        /// <summary>A vector, unless the server answered something else (then every part is empty).</summary>
        public PrometheusResultType ResultType { get; }

        public IReadOnlyList<PrometheusVectorSample> this[int part] => _parts[part];
    }
}
