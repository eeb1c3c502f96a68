using System;
using System.Collections.Generic;
using System.Linq;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Gates
{
    /// <summary>How a gate compares its value with its threshold.</summary>
    public enum GateOperator
    {
        Equal,
        NotEqual,
        Less,
        LessOrEqual,
        Greater,
        GreaterOrEqual,
    }

    /// <summary>One gate: a query that must give exactly one fresh, finite value on the right side of a threshold.</summary>
    public sealed class GateDefinition
    {
        public GateDefinition(string name, string query, GateOperator @operator, double threshold, TimeSpan maxAge)
        {
            Name = name;
            Query = query;
            Operator = @operator;
            Threshold = threshold;
            MaxAge = maxAge;
            MaxAgeMilliseconds = (long)maxAge.TotalMilliseconds;
        }

        public string Name { get; }

        /// <summary>The PromQL as written; <c>$realm</c> stands for the realm.</summary>
        public string Query { get; }

        public GateOperator Operator { get; }

        public double Threshold { get; }

        /// <summary>The oldest sample the gate accepts, measured from the evaluation time to the sample's timestamp.</summary>
        public TimeSpan MaxAge { get; }

        internal long MaxAgeMilliseconds { get; }

        /// <summary>True (the default) when more than one series is a failure; false when every series must pass.</summary>
        public bool ExactlyOneSeries { get; internal set; } = true;

        /// <summary>The values that make sense for the gate (a ratio: 0 to 1); values outside are OutOfRange, not a pass.</summary>
        public double RangeMin { get; internal set; } = double.NegativeInfinity;

        public double RangeMax { get; internal set; } = double.PositiveInfinity;

        public int Line { get; internal set; }

        public int Column { get; internal set; }

        /// <summary>The operator as PromQL writes it.</summary>
        public string OperatorSymbol => GatePolicy.Symbol(Operator);

        /// <summary>The query with the realm put in.</summary>
        public string QueryFor(string realm) => Query.Replace(GatePolicy.RealmPlaceholder, realm);

        /// <summary>True when <paramref name="value"/> is on the passing side of the threshold.</summary>
        public bool Holds(double value)
        {
            switch (Operator)
            {
                case GateOperator.Equal: return value == Threshold;
                case GateOperator.NotEqual: return value != Threshold;
                case GateOperator.Less: return value < Threshold;
                case GateOperator.LessOrEqual: return value <= Threshold;
                case GateOperator.Greater: return value > Threshold;
                default: return value >= Threshold;
            }
        }

        public override string ToString() => $"{Name}: {Query} {OperatorSymbol} {PrometheusValue.Format(Threshold)}";
    }

    /// <summary>
    /// The L4 gate policy: the gates, the evaluation step, the promotion rule (every gate holds for a sustained span)
    /// and the rollback rule (enough gates violated for a consecutive span, or the trend of one gate Rising).
    /// </summary>
    public sealed class GatePolicy
    {
        public const string RealmPlaceholder = "$realm";

        internal GatePolicy(string source, string realm, TimeSpan step, IReadOnlyList<GateDefinition> gates)
        {
            Source = source;
            Realm = realm;
            Step = step;
            Gates = gates;
        }

        /// <summary>The file the policy came from.</summary>
        public string Source { get; }

        /// <summary>The metric_realm the queries select.</summary>
        public string Realm { get; private set; }

        /// <summary>The evaluation step of the history: streaks and runs are counted in these steps.</summary>
        public TimeSpan Step { get; }

        public IReadOnlyList<GateDefinition> Gates { get; private set; }

        /// <summary>Promote once every gate has held for this long (first to last holding step).</summary>
        public TimeSpan Sustained { get; internal set; } = TimeSpan.FromMinutes(15);

        /// <summary>How many gates must fail together for a rollback.</summary>
        public int RollbackMinViolatedGates { get; internal set; } = 2;

        /// <summary>How long (first to last step) they must fail together.</summary>
        public TimeSpan RollbackConsecutive { get; internal set; } = TimeSpan.FromMinutes(3);

        /// <summary>
        /// False (the default): only Violated gates count towards a rollback; missing or unreadable data holds instead of
        /// rolling back a healthy but idle service. True: every non-passing gate counts.
        /// </summary>
        public bool RollbackCountsMissingData { get; internal set; }

        /// <summary>The gate whose trend Rising rolls back; none when null.</summary>
        public string? TrendGate { get; internal set; }

        /// <summary>How much history the trend test reads.</summary>
        public TimeSpan TrendWindow { get; internal set; } = TimeSpan.FromMinutes(15);

        /// <summary>The same policy for another realm.</summary>
        public GatePolicy WithRealm(string realm)
        {
            string? problem = HeartbeatWriter.DescribeInvalidRealm(realm);
            if (problem != null) throw new ArgumentException(problem, nameof(realm));
            var copy = (GatePolicy)MemberwiseClone();
            copy.Realm = realm;
            return copy;
        }

        /// <summary>The same policy with only the named gates.</summary>
        public GatePolicy OnlyGates(IEnumerable<string> names)
        {
            var keep = new HashSet<string>(names, StringComparer.Ordinal);
            var copy = (GatePolicy)MemberwiseClone();
            copy.Gates = Gates.Where(g => keep.Contains(g.Name)).ToList();
            return copy;
        }

        public GateDefinition? Gate(string name) => Gates.FirstOrDefault(g => string.Equals(g.Name, name, StringComparison.Ordinal));

        internal static string Symbol(GateOperator op)
        {
            switch (op)
            {
                case GateOperator.Equal: return "==";
                case GateOperator.NotEqual: return "!=";
                case GateOperator.Less: return "<";
                case GateOperator.LessOrEqual: return "<=";
                case GateOperator.Greater: return ">";
                default: return ">=";
            }
        }

        internal static bool TryParseOperator(string? text, out GateOperator op)
        {
            switch (text)
            {
                case "==": op = GateOperator.Equal; return true;
                case "!=": op = GateOperator.NotEqual; return true;
                case "<": op = GateOperator.Less; return true;
                case "<=": op = GateOperator.LessOrEqual; return true;
                case ">": op = GateOperator.Greater; return true;
                case ">=": op = GateOperator.GreaterOrEqual; return true;
                default: op = GateOperator.Equal; return false;
            }
        }
    }
}
