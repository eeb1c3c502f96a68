using System;
using System.Globalization;
using System.Text;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>Prometheus' spelling of float values and times on the wire.</summary>
    public static class PrometheusValue
    {
        /// <summary>Formats as Prometheus does: <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>, otherwise the shortest round-trip form.</summary>
        /// <summary>
        /// A time in Unix seconds, as timestamp() gives it, in whole milliseconds; null when it is NaN, ±Inf or more than
        /// 1e11 seconds (about 3,000 years) from 1970, which no sample has.
        /// </summary>
        internal static long? UnixMilliseconds(double seconds) =>
            Math.Abs(seconds) <= 1e11 ? (long)Math.Round(seconds * 1000, MidpointRounding.AwayFromZero) : (long?)null;

        public static string Format(double value)
        {
            if (double.IsNaN(value)) return "NaN";
            if (double.IsPositiveInfinity(value)) return "+Inf";
            if (double.IsNegativeInfinity(value)) return "-Inf";
            return value.ToString("R", CultureInfo.InvariantCulture);
        }

        /// <summary>For tables: up to six significant digits, NaN and infinities spelled out.</summary>
        public static string FormatForDisplay(double value)
        {
            if (double.IsNaN(value) || double.IsInfinity(value)) return Format(value);
            return value.ToString("G6", CultureInfo.InvariantCulture);
        }

        /// <summary>A short readable age: 850ms, 12.3s, 4m05s, 2h10m, 3d4h.</summary>
        public static string FormatAge(TimeSpan age)
        {
            if (age < TimeSpan.Zero) age = TimeSpan.Zero;
            if (age.TotalSeconds < 1) return ((int)age.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
            if (age.TotalSeconds < 60) return age.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
            if (age.TotalMinutes < 60) return string.Format(CultureInfo.InvariantCulture, "{0}m{1:00}s", (int)age.TotalMinutes, age.Seconds);
            if (age.TotalHours < 24) return string.Format(CultureInfo.InvariantCulture, "{0}h{1:00}m", (int)age.TotalHours, age.Minutes);
            return string.Format(CultureInfo.InvariantCulture, "{0}d{1}h", (int)age.TotalDays, age.Hours);
        }

        /// <summary>Parses a Prometheus float: decimals, exponents, NaN and ±Inf in any case.</summary>
        public static bool TryParse(string text, out double value)
        {
            if (text == null) { value = 0; return false; }
            var bytes = Encoding.UTF8.GetBytes(text);
            return TryParse(new ReadOnlySpan<byte>(bytes), out value);
        }

        internal static bool TryParse(ReadOnlySpan<byte> text, out double value)
        {
            if (TryParseFast(text, out value)) return true;
            if (IsCanonicalSpecial(text, out value)) return true;
            return TryParseSpecialOrSlow(text, out value);
        }

        private static readonly double[] PowersOfTen =
        {
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        };

        // 2^53: every integer up to here is an exact double.
        private const ulong MaxExactMantissa = 1UL << 53;

        // Decimal digits are read into a ulong: at most 19 significant ones (10^19 < 2^64). Go writes at most 17.
        private const int MaxMantissaDigits = 19;

        // Clinger's fast path: with a mantissa up to 2^53 and a power of ten up to 1e22 both operands are
        // exact doubles, so one IEEE multiplication or division rounds correctly. Larger mantissas (the 16 and
        // 17 digit shortest forms of computed values such as rates) go through Eisel-Lemire, which is exact
        // or says it cannot decide; only then, and for anything unusual, the runtime parser is used.
        private static bool TryParseFast(ReadOnlySpan<byte> s, out double value)
        {
            value = 0;
            int i = 0;
            bool negative = false;
            if (s.Length == 0) return false;
            if (s[0] == '-') { negative = true; i++; }
            else if (s[0] == '+') i++;
            ulong mantissa = 0;
            int digits = 0;
            int scale = 0;
            bool any = false;
            for (; i < s.Length; i++)
            {
                uint d = (uint)(s[i] - '0');
                if (d > 9) break;
                any = true;
                if (mantissa == 0 && d == 0) continue;
                if (++digits > MaxMantissaDigits) return false;
                mantissa = mantissa * 10 + d;
            }
            if (i < s.Length && s[i] == '.')
            {
                for (i++; i < s.Length; i++)
                {
                    uint d = (uint)(s[i] - '0');
                    if (d > 9) break;
                    any = true;
                    scale--;
                    if (mantissa == 0 && d == 0) continue;
                    if (++digits > MaxMantissaDigits) return false;
                    mantissa = mantissa * 10 + d;
                }
            }
            if (!any) return false;
            if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
            {
                i++;
                bool expNegative = false;
                if (i < s.Length && (s[i] == '-' || s[i] == '+')) { expNegative = s[i] == '-'; i++; }
                int exp = 0;
                int expDigits = 0;
                for (; i < s.Length; i++)
                {
                    uint d = (uint)(s[i] - '0');
                    if (d > 9) break;
                    if (++expDigits > 4) return false;
                    exp = exp * 10 + (int)d;
                }
                if (expDigits == 0) return false;
                scale += expNegative ? -exp : exp;
            }
            if (i != s.Length) return false;
            if (mantissa == 0)
            {
                value = negative ? -0.0 : 0.0;
                return true;
            }
            if (mantissa <= MaxExactMantissa && scale >= -22 && scale <= 22)
            {
                double m = mantissa;
                if (scale == 0) value = m;
                else if (scale > 0) value = m * PowersOfTen[scale];
                else value = m / PowersOfTen[-scale];
            }
            else if (!EiselLemire.TryCompute(mantissa, scale, out value))
            {
                return false;
            }
            if (negative) value = -value;
            return true;
        }

        // The spellings Prometheus writes, without the allocations of the general, case-insensitive match.
        private static bool IsCanonicalSpecial(ReadOnlySpan<byte> s, out double value)
        {
            value = 0;
            if (s.Length == 3 && s[0] == 'N' && s[1] == 'a' && s[2] == 'N') value = double.NaN;
            else if (s.Length == 4 && s[1] == 'I' && s[2] == 'n' && s[3] == 'f' && (s[0] == '+' || s[0] == '-'))
                value = s[0] == '+' ? double.PositiveInfinity : double.NegativeInfinity;
            else return false;
            return true;
        }

        private static bool TryParseSpecialOrSlow(ReadOnlySpan<byte> s, out double value)
        {
            string text = JsonScanner.Utf8(s);
            switch (text.ToLowerInvariant())
            {
                case "nan": value = double.NaN; return true;
                case "inf": case "+inf": case "infinity": case "+infinity": value = double.PositiveInfinity; return true;
                case "-inf": case "-infinity": value = double.NegativeInfinity; return true;
            }
            foreach (char c in text)
            {
                // double.Parse would accept thousands separators or spaces; Prometheus never sends them.
                if (!(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E')
                {
                    value = 0;
                    return false;
                }
            }
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }

        /// <summary>Unix seconds with millisecond precision, the form the HTTP API takes.</summary>
        public static string FormatTime(DateTimeOffset time)
        {
            long ms = time.ToUnixTimeMilliseconds();
            return FormatSeconds(ms);
        }

        /// <summary>A duration in seconds (float) as the HTTP API takes it for <c>step</c>.</summary>
        public static string FormatDurationSeconds(TimeSpan duration) =>
            FormatSeconds((long)Math.Round(duration.TotalMilliseconds));

        private static string FormatSeconds(long ms)
        {
            var sign = ms < 0 ? "-" : string.Empty;
            ms = Math.Abs(ms);
            long seconds = ms / 1000, fraction = ms % 1000;
            return fraction == 0
                ? sign + seconds.ToString(CultureInfo.InvariantCulture)
                : sign + seconds.ToString(CultureInfo.InvariantCulture) + "." + fraction.ToString("000", CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// Parses a JSON number of Unix seconds into milliseconds. Integer seconds with up to three fraction
        /// digits (what Prometheus writes) are read exactly; anything else is rounded to the millisecond.
        /// </summary>
        internal static bool TryParseUnixSecondsToMilliseconds(ReadOnlySpan<byte> s, out long milliseconds)
        {
            milliseconds = 0;
            int i = 0;
            bool negative = false;
            if (s.Length > 0 && s[0] == '-') { negative = true; i++; }
            long seconds = 0;
            int intDigits = 0;
            for (; i < s.Length; i++)
            {
                uint d = (uint)(s[i] - '0');
                if (d > 9) break;
                if (++intDigits > 15) return TryParseTimeSlow(s, out milliseconds);
                seconds = seconds * 10 + d;
            }
            if (intDigits == 0) return false;
            long fraction = 0;
            if (i < s.Length && s[i] == '.')
            {
                int fractionDigits = 0;
                for (i++; i < s.Length; i++)
                {
                    uint d = (uint)(s[i] - '0');
                    if (d > 9) break;
                    if (++fractionDigits > 3) return TryParseTimeSlow(s, out milliseconds);
                    fraction = fraction * 10 + d;
                }
                if (fractionDigits == 0) return false;
                for (; fractionDigits < 3; fractionDigits++) fraction *= 10;
            }
            if (i != s.Length) return TryParseTimeSlow(s, out milliseconds);
            milliseconds = seconds * 1000 + fraction;
            if (negative) milliseconds = -milliseconds;
            return true;
        }

        private static bool TryParseTimeSlow(ReadOnlySpan<byte> s, out long milliseconds)
        {
            milliseconds = 0;
            if (!TryParse(s, out double seconds) || double.IsNaN(seconds) || double.IsInfinity(seconds)) return false;
            double ms = Math.Round(seconds * 1000.0);
            if (ms > long.MaxValue / 2 || ms < long.MinValue / 2) return false;
            milliseconds = (long)ms;
            return true;
        }
    }
}
