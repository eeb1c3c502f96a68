using System;
using System.Globalization;
using System.Text;
using Duri.Ops.Engine.Prometheus;
using Xunit;

namespace Duri.Ops.Engine.Tests
{
    public class PrometheusValueTests
    {
        [Theory]
        [InlineData("NaN", double.NaN)]
        [InlineData("+Inf", double.PositiveInfinity)]
        [InlineData("-Inf", double.NegativeInfinity)]
        [InlineData("1", 1.0)]
        [InlineData("0.1", 0.1)]
        [InlineData("-2.5e-3", -0.0025)]
        [InlineData("1e21", 1e21)]
        [InlineData("123456789012345678901234567890", 1.2345678901234568e29)]
        [InlineData("0.000000000000000000000000001", 1e-27)]
        public void ParsesPrometheusSpellings(string text, double expected)
        {
            Assert.True(PrometheusValue.TryParse(text, out double value));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
        }

        [Fact]
        public void KeepsNegativeZero()
        {
            Assert.True(PrometheusValue.TryParse("-0", out double value));
            Assert.True(double.IsNegative(value));
            Assert.Equal(0.0, value);
        }

        [Theory]
        [InlineData("")]
        [InlineData("abc")]
        [InlineData("1,5")]
        [InlineData("1 000")]
        [InlineData("1e")]
        [InlineData("--1")]
        public void RejectsWhatIsNotAFloat(string text)
        {
            Assert.False(PrometheusValue.TryParse(text, out _));
        }

        [Fact]
        public void FastPathRoundsExactlyLikeTheRuntimeParser()
        {
            var random = new Random(20261128);
            var buffer = new byte[8];
            for (int i = 0; i < 200_000; i++)
            {
                double value;
                switch (i % 4)
                {
                    case 0:
                        random.NextBytes(buffer);
                        value = BitConverter.ToDouble(buffer, 0);
                        if (double.IsNaN(value) || double.IsInfinity(value)) continue;
                        break;
                    case 1: value = Math.Round(random.NextDouble() * 1000, random.Next(0, 8)); break;
                    case 2: value = random.NextDouble(); break;
                    default: value = random.Next() / 1000.0; break;
                }
                foreach (var text in new[] { value.ToString("R", CultureInfo.InvariantCulture), value.ToString("F6", CultureInfo.InvariantCulture) })
                {
                    double expected = double.Parse(text, CultureInfo.InvariantCulture);
                    Assert.True(PrometheusValue.TryParse(Encoding.ASCII.GetBytes(text), out double actual), text);
                    Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"{text}: {expected:R} != {actual:R}");
                }
            }
        }

        [Fact]
        public void LongMantissasRoundExactlyLikeTheRuntimeParser()
        {
            // Computed values (rates, ratios, quantiles) come as 16 and 17 digit shortest forms: past the
            // Clinger path, through Eisel-Lemire. double.Parse is correctly rounded on .NET Core 3.0 and later.
            var random = new Random(20260117);
            for (int i = 0; i < 200_000; i++)
            {
                double value;
                switch (i % 4)
                {
                    case 0: value = random.Next(1, 3_000_000) / 300.0; break;
                    case 1: value = random.NextDouble() * Math.Pow(10, random.Next(-40, 40)); break;
                    case 2: value = 0.1 + random.Next(1, 1000) / 2100.0; break;
                    default: value = random.NextDouble(); break;
                }
                string text = value.ToString("R", CultureInfo.InvariantCulture);
                string longText = value.ToString("F" + random.Next(15, 20).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                foreach (var t in new[] { text, longText, "-" + text })
                {
                    double expected = double.Parse(t, CultureInfo.InvariantCulture);
                    Assert.True(PrometheusValue.TryParse(Encoding.ASCII.GetBytes(t), out double actual), t);
                    Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"{t}: {expected:R} != {actual:R}");
                }
            }
        }

        [Theory]
        [InlineData("9007199254740993")]      // 2^53 + 1: halfway, rounds to even
        [InlineData("9007199254740995")]      // halfway, rounds up to even
        [InlineData("9007199254740993.0000001")]
        [InlineData("18446744073709551615")]  // 20 digits: the runtime parser
        [InlineData("2.2250738585072011e-308")]
        [InlineData("4.9e-324")]
        [InlineData("1.7976931348623157e308")]
        [InlineData("1.7976931348623159e308")] // rounds to infinity
        [InlineData("12345678901234567e-70")]  // outside the table: the runtime parser
        [InlineData("0.30000000000000004")]
        public void HardCasesRoundLikeTheRuntimeParser(string text)
        {
            double expected = double.Parse(text, CultureInfo.InvariantCulture);
            Assert.True(PrometheusValue.TryParse(Encoding.ASCII.GetBytes(text), out double actual));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));
        }

        [Fact]
        public void EiselLemireTableHoldsTheTruncatedPowersOfTen()
        {
            for (int q = EiselLemire.MinExponent10; q <= EiselLemire.MaxExponent10; q++)
            {
                var five = System.Numerics.BigInteger.Pow(5, Math.Abs(q));
                int bits = (int)five.GetBitLength();
                var expected = q >= 0
                    ? (bits > 128 ? five >> (bits - 128) : five << (128 - bits))
                    : (System.Numerics.BigInteger.One << (bits + 127)) / five;
                int index = 2 * (q - EiselLemire.MinExponent10);
                var actual = (new System.Numerics.BigInteger(EiselLemire.Powers[index]) << 64) + EiselLemire.Powers[index + 1];
                Assert.True(expected == actual, "1e" + q);
            }
        }

        [Theory]
        [InlineData("1700000000", 1700000000000L)]
        [InlineData("1700000000.5", 1700000000500L)]
        [InlineData("1700000000.123", 1700000000123L)]
        [InlineData("1700000000.05", 1700000000050L)]
        [InlineData("-1.5", -1500L)]
        [InlineData("1.7e9", 1700000000000L)]
        [InlineData("1700000000.1234", 1700000000123L)]
        public void ReadsUnixSecondsToTheMillisecond(string text, long expectedMs)
        {
            Assert.True(PrometheusValue.TryParseUnixSecondsToMilliseconds(Encoding.ASCII.GetBytes(text), out long ms));
            Assert.Equal(expectedMs, ms);
        }

        [Theory]
        [InlineData(1700000000123L, "1700000000.123")]
        [InlineData(1700000000000L, "1700000000")]
        [InlineData(1700000000050L, "1700000000.050")]
        public void FormatsTimesAsTheApiTakesThem(long ms, string expected)
        {
            Assert.Equal(expected, PrometheusValue.FormatTime(DateTimeOffset.FromUnixTimeMilliseconds(ms)));
        }

        [Fact]
        public void FormatsSpecialValuesAsPrometheusDoes()
        {
            Assert.Equal("NaN", PrometheusValue.Format(double.NaN));
            Assert.Equal("+Inf", PrometheusValue.Format(double.PositiveInfinity));
            Assert.Equal("-Inf", PrometheusValue.Format(double.NegativeInfinity));
            Assert.Equal("0.1", PrometheusValue.Format(0.1));
        }

        [Theory]
        [InlineData(0.85, "850ms")]
        [InlineData(12.34, "12.3s")]
        [InlineData(245, "4m05s")]
        [InlineData(7800, "2h10m")]
        [InlineData(273600, "3d4h")]
        public void FormatsAgesForTables(double seconds, string expected)
        {
            Assert.Equal(expected, PrometheusValue.FormatAge(TimeSpan.FromSeconds(seconds)));
        }
    }

    public class PrometheusDurationTests
    {
        [Theory]
        [InlineData("15s", 15_000)]
        [InlineData("5m", 300_000)]
        [InlineData("1h30m", 5_400_000)]
        [InlineData("500ms", 500)]
        [InlineData("1d", 86_400_000)]
        [InlineData("1w", 604_800_000)]
        [InlineData("0", 0)]
        public void ParsesPrometheusDurations(string text, long ms)
        {
            Assert.True(PrometheusDuration.TryParse(text, out var duration));
            Assert.Equal(TimeSpan.FromMilliseconds(ms), duration);
            Assert.Equal(duration, PrometheusDuration.Parse(PrometheusDuration.Format(duration)));
        }

        [Theory]
        [InlineData("")]
        [InlineData("15")]
        [InlineData("5x")]
        [InlineData("30m1h")]
        [InlineData("1h1h")]
        [InlineData("-5m")]
        [InlineData("1.5h")]
        public void RejectsWhatPrometheusRejects(string text)
        {
            Assert.False(PrometheusDuration.TryParse(text, out _));
            Assert.Throws<FormatException>(() => PrometheusDuration.Parse(text));
        }

        [Fact]
        public void FormatsLargestUnitsFirst()
        {
            Assert.Equal("1h30m", PrometheusDuration.Format(TimeSpan.FromMinutes(90)));
            Assert.Equal("1m15s", PrometheusDuration.Format(TimeSpan.FromSeconds(75)));
            Assert.Equal("0s", PrometheusDuration.Format(TimeSpan.Zero));
        }
    }

    public class LabelSetTests
    {
        [Fact]
        public void SortsComparesAndPrintsAsASelector()
        {
            var a = LabelSet.Create(new[] { Pair("job", "node"), Pair("__name__", "up"), Pair("instance", "a\"b\\c\nd") });
            var b = LabelSet.Create(new[] { Pair("instance", "a\"b\\c\nd"), Pair("job", "node"), Pair("__name__", "up") });
            Assert.Equal(a, b);
            Assert.Equal(a.GetHashCode(), b.GetHashCode());
            Assert.Equal(new[] { "__name__", "instance", "job" }, a.Keys);
            Assert.Equal("up", a.MetricName);
            Assert.Equal("{__name__=\"up\", instance=\"a\\\"b\\\\c\\nd\", job=\"node\"}", a.ToString());
            Assert.Equal("{instance=\"a\\\"b\\\\c\\nd\", job=\"node\"}", a.WithoutMetricName().ToString());
            Assert.Equal("node", a["job"]);
            Assert.False(a.ContainsKey("missing"));
            Assert.NotEqual(a, a.WithoutMetricName());
        }

        [Fact]
        public void PrintsSeriesAsPrometheusDoes()
        {
            Assert.Equal("up{job=\"node\"}", LabelSet.Create(new[] { Pair("__name__", "up"), Pair("job", "node") }).ToSeriesString());
            Assert.Equal("up", LabelSet.Create(new[] { Pair("__name__", "up") }).ToSeriesString());
            Assert.Equal("{job=\"node\"}", LabelSet.Create(new[] { Pair("job", "node") }).ToSeriesString());
        }

        [Fact]
        public void RejectsDuplicateNames()
        {
            Assert.Throws<ArgumentException>(() => LabelSet.Create(new[] { Pair("job", "a"), Pair("job", "b") }));
        }

        private static System.Collections.Generic.KeyValuePair<string, string> Pair(string k, string v) => new(k, v);
    }
}
