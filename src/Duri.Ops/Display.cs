using System;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops
{
    /// <summary>
    /// Formatting for the views in Duri.Ops.Format.ps1xml. PowerShell resolves type names only in the default
    /// load context, where this assembly lives and the engine (isolated, see DependencyLoader) does not.
    /// </summary>
    public static class Display
    {
        /// <summary>Up to six significant digits; NaN and infinities spelled as Prometheus does.</summary>
        public static string Value(double value) => PrometheusValue.FormatForDisplay(value);

        /// <summary>A short age such as 850ms, 12.3s, 4m05s.</summary>
        public static string Age(TimeSpan age) => PrometheusValue.FormatAge(age);

        /// <summary>A Prometheus duration such as 15s or 1h30m.</summary>
        public static string Duration(TimeSpan duration) => PrometheusDuration.Format(duration);

        /// <summary>
        /// A label set as a selector, <c>{team="sre"}</c>, and nothing for no labels; taken as object because the
        /// engine type lives in another load context.
        /// </summary>
        public static string Labels(object? labels)
        {
            string text = labels?.ToString() ?? string.Empty;
            return text == "{}" ? string.Empty : text;
        }
    }
}
