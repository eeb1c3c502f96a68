using System;
using System.Collections;
using System.Collections.Generic;
using System.Text;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>
    /// An immutable Prometheus label set, sorted by name, compared by value.
    /// Prints in PromQL selector form: <c>{job="node", instance="127.0.0.1:9100"}</c>.
    /// </summary>
    public sealed class LabelSet : IReadOnlyDictionary<string, string>, IEquatable<LabelSet>
    {
        public const string MetricNameLabel = "__name__";

        public static readonly LabelSet Empty = new LabelSet(Array.Empty<KeyValuePair<string, string>>());

        private readonly KeyValuePair<string, string>[] _pairs;

        private LabelSet(KeyValuePair<string, string>[] sortedPairs)
        {
            _pairs = sortedPairs;
        }

        public static LabelSet Create(IEnumerable<KeyValuePair<string, string>> pairs)
        {
            if (pairs == null) throw new ArgumentNullException(nameof(pairs));
            var list = new List<KeyValuePair<string, string>>(pairs);
            return FromUnsorted(list);
        }

        internal static LabelSet FromUnsorted(List<KeyValuePair<string, string>> pairs) =>
            TryFromUnsorted(pairs, out var labels, out string repeatedName) ? labels : throw new ArgumentException($"Label '{repeatedName}' appears twice.", nameof(pairs));

        /// <summary>False, with the name, when a label name appears twice: readers of untrusted input report that as their own format error.</summary>
        internal static bool TryFromUnsorted(List<KeyValuePair<string, string>> pairs, out LabelSet labels, out string repeatedName)
        {
            labels = Empty;
            repeatedName = string.Empty;
            if (pairs.Count == 0) return true;
            pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            for (int i = 1; i < pairs.Count; i++)
            {
                if (pairs[i].Key == pairs[i - 1].Key)
                {
                    repeatedName = pairs[i].Key;
                    return false;
                }
            }
            labels = new LabelSet(pairs.ToArray());
            return true;
        }

        /// <summary>The metric name (the <c>__name__</c> label), or an empty string.</summary>
        public string MetricName => TryGetValue(MetricNameLabel, out var name) ? name : string.Empty;

        /// <summary>The labels without <c>__name__</c>.</summary>
        public LabelSet WithoutMetricName() => Without(MetricNameLabel);

        /// <summary>The labels without <paramref name="name"/>.</summary>
        internal LabelSet Without(string name)
        {
            int index = IndexOf(name);
            if (index < 0) return this;
            var rest = new KeyValuePair<string, string>[_pairs.Length - 1];
            Array.Copy(_pairs, 0, rest, 0, index);
            Array.Copy(_pairs, index + 1, rest, index, _pairs.Length - index - 1);
            return rest.Length == 0 ? Empty : new LabelSet(rest);
        }

        public int Count => _pairs.Length;

        public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

        public IEnumerable<string> Keys { get { foreach (var p in _pairs) yield return p.Key; } }

        public IEnumerable<string> Values { get { foreach (var p in _pairs) yield return p.Value; } }

        public bool ContainsKey(string key) => IndexOf(key) >= 0;

        public bool TryGetValue(string key, out string value)
        {
            int index = IndexOf(key);
            value = index >= 0 ? _pairs[index].Value : null!;
            return index >= 0;
        }

        private int IndexOf(string key)
        {
            int lo = 0, hi = _pairs.Length - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >> 1;
                int c = string.CompareOrdinal(_pairs[mid].Key, key);
                if (c == 0) return mid;
                if (c < 0) lo = mid + 1; else hi = mid - 1;
            }
            return -1;
        }

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_pairs).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public bool Equals(LabelSet? other)
        {
            if (other is null || other._pairs.Length != _pairs.Length) return false;
            for (int i = 0; i < _pairs.Length; i++)
            {
                if (!string.Equals(_pairs[i].Key, other._pairs[i].Key, StringComparison.Ordinal)
                    || !string.Equals(_pairs[i].Value, other._pairs[i].Value, StringComparison.Ordinal))
                    return false;
            }
            return true;
        }

        public override bool Equals(object? obj) => obj is LabelSet other && Equals(other);

        public override int GetHashCode()
        {
            unchecked
            {
                int hash = 17;
                foreach (var p in _pairs)
                    hash = (hash * 31 + StringComparer.Ordinal.GetHashCode(p.Key)) * 31 + StringComparer.Ordinal.GetHashCode(p.Value);
                return hash;
            }
        }

        /// <summary>The series as Prometheus prints it: <c>up{job="node"}</c>, the metric name outside the braces.</summary>
        public string ToSeriesString()
        {
            var rest = WithoutMetricName();
            string name = MetricName;
            if (name.Length == 0) return rest.ToString();
            return rest.Count == 0 ? name : name + rest;
        }

        /// <summary>PromQL selector form; label values escaped as PromQL strings.</summary>
        public override string ToString()
        {
            var sb = new StringBuilder("{");
            for (int i = 0; i < _pairs.Length; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(_pairs[i].Key).Append("=\"");
                AppendEscaped(sb, _pairs[i].Value);
                sb.Append('"');
            }
            return sb.Append('}').ToString();
        }

        private static void AppendEscaped(StringBuilder sb, string value)
        {
            foreach (char c in value)
            {
                switch (c)
                {
                    case '\\': sb.Append("\\\\"); break;
                    case '"': sb.Append("\\\""); break;
                    case '\n': sb.Append("\\n"); break;
                    default: sb.Append(c); break;
                }
            }
        }
    }
}
