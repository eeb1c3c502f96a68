using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Infrastructure
{
    /// <summary>Rejects, at binding, URIs that cannot address a Prometheus server (relative, not http(s), with a query).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateHttpUriAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var uri = arguments as Uri ?? (arguments is string s && Uri.TryCreate(s, UriKind.RelativeOrAbsolute, out var parsed) ? parsed : null);
            string? problem = PrometheusConnectionSettings.DescribeInvalidUri(uri);
            if (problem != null) throw new ValidationMetadataException(problem);
        }
    }

    /// <summary>
    /// Lets duration parameters take what an SRE types: Prometheus durations (<c>15s</c>, <c>5m</c>, <c>1h30m</c>),
    /// a number of seconds, or a TimeSpan.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject pso ? pso.BaseObject : inputData;
            switch (value)
            {
                case TimeSpan span:
                    return span;
                // PowerShell reads 10s, 1d and 1y as numbers with a type suffix (short, decimal, sbyte)
                // before any parameter sees them; give them the Prometheus meaning the user typed.
                case short s:
                    return TimeSpan.FromSeconds(s);
                case decimal d:
                    return TimeSpan.FromMilliseconds((double)Math.Round(d * 86_400_000m));
                case sbyte y:
                    return TimeSpan.FromDays(365 * y);
                case int i:
                    return TimeSpan.FromSeconds(i);
                case long l:
                    return TimeSpan.FromSeconds(l);
                case double d:
                    return TimeSpan.FromMilliseconds(Math.Round(d * 1000));
                case string text:
                    text = text.Trim();
                    if (PrometheusDuration.TryParse(text, out var duration)) return duration;
                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
                    if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed)) return parsed;
                    throw new ArgumentTransformationMetadataException($"'{text}' is not a duration. Use forms like 15s, 5m, 1h30m, a number of seconds, or a TimeSpan.");
                default:
                    return inputData;
            }
        }
    }

    /// <summary>Rejects, at binding, durations that are zero or negative (an interval of zero would spin).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidatePositiveDurationAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            object value = arguments is PSObject pso ? pso.BaseObject : arguments;
            if (value is TimeSpan span && span <= TimeSpan.Zero)
                throw new ValidationMetadataException($"The duration must be more than zero; got {span}.");
        }
    }

    /// <summary>Rejects, at binding, a metric_realm value with quotes, backslashes or line breaks.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateRealmAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            string? problem = HeartbeatWriter.DescribeInvalidRealm((arguments is PSObject pso ? pso.BaseObject : arguments)?.ToString());
            if (problem != null) throw new ValidationMetadataException(problem);
        }
    }

    /// <summary>Rejects, at binding, a label hashtable whose names Prometheus would not accept.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateLabelNamesAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            if ((arguments is PSObject pso ? pso.BaseObject : arguments) is IDictionary labels)
            {
                string? problem = HeartbeatWriter.DescribeInvalidLabels(ToPairs(labels));
                if (problem != null) throw new ValidationMetadataException(problem);
            }
        }

        /// <summary>A hashtable of labels as name/value pairs; values as PowerShell converts them to strings.</summary>
        public static List<KeyValuePair<string, string>> ToPairs(IDictionary labels)
        {
            var pairs = new List<KeyValuePair<string, string>>();
            foreach (DictionaryEntry entry in labels)
            {
                string value = entry.Value == null ? string.Empty : LanguagePrimitives.ConvertTo<string>(entry.Value);
                pairs.Add(new KeyValuePair<string, string>(LanguagePrimitives.ConvertTo<string>(entry.Key), value));
            }
            return pairs;
        }
    }
}
