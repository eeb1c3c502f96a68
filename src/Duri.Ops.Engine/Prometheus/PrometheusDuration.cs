using System;
using System.Globalization;
using System.Text;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>Prometheus duration strings: <c>1d2h30m</c>, <c>15s</c>, <c>500ms</c>, units y w d h m s ms.</summary>
    public static class PrometheusDuration
    {
        public static bool TryParse(string text, out TimeSpan duration)
        {
            duration = TimeSpan.Zero;
            if (string.IsNullOrEmpty(text)) return false;
            if (text == "0") return true;
            long totalMs = 0;
            int i = 0;
            int lastUnitRank = int.MaxValue;
            while (i < text.Length)
            {
                long number = 0;
                int start = i;
                while (i < text.Length && text[i] >= '0' && text[i] <= '9')
                {
                    number = checked(number * 10 + (text[i] - '0'));
                    if (number > 1_000_000_000_000) return false;
                    i++;
                }
                if (i == start) return false;
                int unitStart = i;
                while (i < text.Length && char.IsLetter(text[i])) i++;
                string unit = text.Substring(unitStart, i - unitStart);
                long unitMs;
                int rank;
                switch (unit)
                {
                    case "y": unitMs = 365L * 24 * 3600 * 1000; rank = 7; break;
                    case "w": unitMs = 7L * 24 * 3600 * 1000; rank = 6; break;
                    case "d": unitMs = 24L * 3600 * 1000; rank = 5; break;
                    case "h": unitMs = 3600L * 1000; rank = 4; break;
                    case "m": unitMs = 60L * 1000; rank = 3; break;
                    case "s": unitMs = 1000; rank = 2; break;
                    case "ms": unitMs = 1; rank = 1; break;
                    default: return false;
                }
                // Units must be given largest first and once each, as Prometheus requires.
                if (rank >= lastUnitRank) return false;
                lastUnitRank = rank;
                try { totalMs = checked(totalMs + number * unitMs); }
                catch (OverflowException) { return false; }
            }
            if (totalMs > (long)TimeSpan.MaxValue.TotalMilliseconds) return false;
            duration = TimeSpan.FromMilliseconds(totalMs);
            return true;
        }

        public static TimeSpan Parse(string text) =>
            TryParse(text, out var duration)
                ? duration
                : throw new FormatException($"'{text}' is not a Prometheus duration; use forms like 15s, 5m, 1h30m or 500ms.");

        /// <summary>Formats as Prometheus does: <c>1h30m</c>, <c>15s</c>, <c>0s</c>; sub-millisecond parts are dropped.</summary>
        public static string Format(TimeSpan duration)
        {
            long ms = (long)duration.TotalMilliseconds;
            if (ms == 0) return "0s";
            var sb = new StringBuilder();
            if (ms < 0) { sb.Append('-'); ms = -ms; }
            Append(sb, ref ms, 365L * 24 * 3600 * 1000, "y");
            Append(sb, ref ms, 7L * 24 * 3600 * 1000, "w");
            Append(sb, ref ms, 24L * 3600 * 1000, "d");
            Append(sb, ref ms, 3600L * 1000, "h");
            Append(sb, ref ms, 60L * 1000, "m");
            Append(sb, ref ms, 1000, "s");
            Append(sb, ref ms, 1, "ms");
            return sb.ToString();
        }

        private static void Append(StringBuilder sb, ref long ms, long unitMs, string unit)
        {
            if (ms < unitMs) return;
            sb.Append((ms / unitMs).ToString(CultureInfo.InvariantCulture)).Append(unit);
            ms %= unitMs;
        }
    }
}
