using System;
using System.Collections.Generic;

namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>A function as Prometheus 2.42 declares it.</summary>
    internal sealed class PromQLFunction
    {
        public PromQLFunction(string name, ValueType[] argumentTypes, int variadic, ValueType returnType)
        {
            Name = name;
            ArgumentTypes = argumentTypes;
            Variadic = variadic;
            ReturnType = returnType;
        }

        public string Name { get; }

        public IReadOnlyList<ValueType> ArgumentTypes { get; }

        /// <summary>0: exactly the declared arguments; n &gt; 0: the last may be left out or repeated up to n times in all; -1: repeated without limit.</summary>
        public int Variadic { get; }

        public ValueType ReturnType { get; }
    }

    /// <summary>The functions of Prometheus 2.42: no feature flag switches any of them on or off in that release.</summary>
    internal static class PromQLFunctions
    {
        private const ValueType S = ValueType.Scalar;
        private const ValueType V = ValueType.InstantVector;
        private const ValueType M = ValueType.RangeVector;
        private const ValueType Str = ValueType.String;

        private static readonly Dictionary<string, PromQLFunction> ByName = Build();

        // By name length, so that the parser can look a name up where it stands in the expression, without a substring.
        private static readonly PromQLFunction[][] ByLength = GroupByLength(ByName.Values);

        public static bool TryGet(string name, out PromQLFunction function) => ByName.TryGetValue(name, out function!);

        /// <summary>The function named by the <paramref name="length"/> characters of <paramref name="source"/> at <paramref name="start"/>.</summary>
        public static bool TryGet(string source, int start, int length, out PromQLFunction function)
        {
            if (length < ByLength.Length)
            {
                foreach (var candidate in ByLength[length])
                {
                    if (string.CompareOrdinal(source, start, candidate.Name, 0, length) == 0)
                    {
                        function = candidate;
                        return true;
                    }
                }
            }
            function = null!;
            return false;
        }

        private static PromQLFunction[][] GroupByLength(IEnumerable<PromQLFunction> functions)
        {
            var byLength = new List<PromQLFunction>[1];
            foreach (var function in functions)
            {
                int length = function.Name.Length;
                if (length >= byLength.Length) Array.Resize(ref byLength, length + 1);
                (byLength[length] ??= new List<PromQLFunction>()).Add(function);
            }
            return Array.ConvertAll(byLength, list => list?.ToArray() ?? Array.Empty<PromQLFunction>());
        }

        private static Dictionary<string, PromQLFunction> Build()
        {
            var table = new Dictionary<string, PromQLFunction>(StringComparer.Ordinal);
            void Add(string name, ValueType returns, int variadic, params ValueType[] args) =>
                table.Add(name, new PromQLFunction(name, args, variadic, returns));

            foreach (var name in new[]
            {
                "abs", "absent", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos", "cosh", "deg", "exp", "floor",
                "histogram_count", "histogram_sum", "ln", "log10", "log2", "rad", "sgn", "sin", "sinh", "sort", "sort_desc", "sqrt",
                "tan", "tanh", "timestamp",
            })
            {
                Add(name, V, 0, V);
            }
            foreach (var name in new[]
            {
                "absent_over_time", "avg_over_time", "changes", "count_over_time", "delta", "deriv", "idelta", "increase", "irate",
                "last_over_time", "max_over_time", "min_over_time", "present_over_time", "rate", "resets", "stddev_over_time",
                "stdvar_over_time", "sum_over_time",
            })
            {
                Add(name, V, 0, M);
            }
            foreach (var name in new[] { "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year" })
            {
                Add(name, V, 1, V);
            }
            Add("clamp", V, 0, V, S, S);
            Add("clamp_max", V, 0, V, S);
            Add("clamp_min", V, 0, V, S);
            Add("histogram_fraction", V, 0, S, S, V);
            Add("histogram_quantile", V, 0, S, V);
            Add("holt_winters", V, 0, M, S, S);
            Add("label_join", V, -1, V, Str, Str, Str);
            Add("label_replace", V, 0, V, Str, Str, Str, Str);
            Add("pi", S, 0);
            Add("predict_linear", V, 0, M, S);
            Add("quantile_over_time", V, 0, S, M);
            Add("round", V, 1, V, S);
            Add("scalar", S, 0, V);
            Add("time", S, 0);
            Add("vector", V, 0, S);
            return table;
        }
    }
}
