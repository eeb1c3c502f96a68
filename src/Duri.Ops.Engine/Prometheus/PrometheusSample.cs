using System;
using System.Globalization;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>One sample: a millisecond timestamp (Prometheus' own resolution, kept exactly) and a value (NaN and infinities kept).</summary>
    public readonly struct PrometheusSample : IEquatable<PrometheusSample>
    {
        public PrometheusSample(long unixTimeMilliseconds, double value)
        {
            UnixTimeMilliseconds = unixTimeMilliseconds;
            Value = value;
        }

        public long UnixTimeMilliseconds { get; }

        public double Value { get; }

        public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(UnixTimeMilliseconds);

        // Bitwise comparison so that NaN equals NaN and -0 differs from +0: "exactly" as the server sent it.
        public bool Equals(PrometheusSample other) =>
            UnixTimeMilliseconds == other.UnixTimeMilliseconds
            && BitConverter.DoubleToInt64Bits(Value) == BitConverter.DoubleToInt64Bits(other.Value);

        public override bool Equals(object? obj) => obj is PrometheusSample other && Equals(other);

        public override int GetHashCode() => UnixTimeMilliseconds.GetHashCode() ^ Value.GetHashCode();

        public override string ToString() =>
            Timestamp.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + " " + PrometheusValue.Format(Value);
    }
}
