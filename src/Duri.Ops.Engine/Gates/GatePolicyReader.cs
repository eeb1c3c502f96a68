using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Engine.Rules.PromQL;
using YamlDotNet.Core;

namespace Duri.Ops.Engine.Gates
{
    /// <summary>Something wrong in a policy file, at a line and column.</summary>
    public sealed class GatePolicyProblem
    {
        public GatePolicyProblem(string path, int line, int column, string message)
        {
            Path = path;
            Line = line;
            Column = column;
            Message = message;
        }

        public string Path { get; }

        public int Line { get; }

        public int Column { get; }

        public string Message { get; }

        public override string ToString() => $"{Path}:{Line}:{Column}: {Message}";
    }

    /// <summary>A policy file that cannot be used; every problem found, each with its position.</summary>
    public sealed class GatePolicyException : Exception
    {
        public GatePolicyException(string path, IReadOnlyList<GatePolicyProblem> problems)
            : base($"The gate policy '{path}' has {problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}: " + string.Join(" ", problems.Select(p => p.ToString())))
        {
            Path = path;
            Problems = problems;
        }

        public string Path { get; }

        public IReadOnlyList<GatePolicyProblem> Problems { get; }
    }

    /// <summary>Reads the YAML gate policy, reporting every problem with its file, line and column.</summary>
    public static class GatePolicyReader
    {
        private static readonly string[] TopKeys = { "realm", "step", "gates", "promotion", "rollback" };
        private static readonly string[] GateKeys = { "name", "query", "operator", "threshold", "max_age", "exactly_one_series", "range" };
        private static readonly string[] PromotionKeys = { "sustained" };
        private static readonly string[] RollbackKeys = { "min_violated_gates", "consecutive", "count_missing_data", "trend_gate", "trend_window" };

        /// <exception cref="FileNotFoundException">No such file.</exception>
        /// <exception cref="GatePolicyException">The file is not a usable policy.</exception>
        public static GatePolicy Load(string path)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"The gate policy '{path}' does not exist.", path);
            return Read(File.ReadAllText(path), path);
        }

        /// <exception cref="GatePolicyException">The text is not a usable policy.</exception>
        public static GatePolicy Read(string text, string source)
        {
            var context = new ReadContext(source);
            var policy = Parse(text, context);
            if (context.Problems.Count > 0 || policy == null) throw new GatePolicyException(source, context.Problems);
            return policy;
        }

        private sealed class ReadContext
        {
            public ReadContext(string path) => Path = path;

            public string Path { get; }

            public List<GatePolicyProblem> Problems { get; } = new List<GatePolicyProblem>();

            public void Add(YamlTreeNode node, string message) => Problems.Add(new GatePolicyProblem(Path, node.Line, node.Column, message));

            public void Add(int line, int column, string message) => Problems.Add(new GatePolicyProblem(Path, line, column, message));
        }

        private static GatePolicy? Parse(string text, ReadContext context)
        {
            List<YamlTreeNode> documents;
            try
            {
                documents = YamlTree.Parse(text);
            }
            catch (YamlException e)
            {
                var inner = e;
                while (inner.InnerException is YamlException deeper) inner = deeper;
                context.Add(Math.Max(1, (int)e.Start.Line), Math.Max(1, (int)e.Start.Column), "Not valid YAML: " + inner.Message);
                return null;
            }
            var top = documents.Count == 0 ? null : documents[0];
            if (top == null || top.Kind != YamlKind.Mapping)
            {
                context.Add(top?.Line ?? 1, top?.Column ?? 1, "A gate policy is a mapping with 'realm', 'step', 'gates', 'promotion' and 'rollback'.");
                return null;
            }
            UnknownKeys(top, TopKeys, "the policy", context);

            string realm = "prod";
            var realmNode = top["realm"];
            if (realmNode != null)
            {
                string? problem = HeartbeatWriter.DescribeInvalidRealm(realmNode.Text);
                if (problem != null) context.Add(realmNode, problem);
                else realm = realmNode.Text!;
            }
            var step = Duration(top, "step", TimeSpan.FromSeconds(15), context);

            var gates = new List<GateDefinition>();
            var gatesNode = top["gates"];
            if (gatesNode == null || gatesNode.Kind != YamlKind.Sequence || gatesNode.Items.Count == 0)
            {
                context.Add(gatesNode ?? top, "'gates' must be a list of at least one gate, each with name, query, operator, threshold and max_age.");
            }
            else
            {
                foreach (var gateNode in gatesNode.Items)
                {
                    var gate = ReadGate(gateNode, realm, context);
                    if (gate == null) continue;
                    if (gates.Any(g => g.Name == gate.Name)) context.Add(gateNode["name"]!, $"A gate named '{gate.Name}' is already defined; gate names must be unique.");
                    else gates.Add(gate);
                }
            }

            var policy = new GatePolicy(context.Path, realm, step, gates);
            var promotion = Section(top, "promotion", PromotionKeys, context);
            if (promotion != null) policy.Sustained = Duration(promotion, "sustained", policy.Sustained, context, allowZero: true);

            var rollback = Section(top, "rollback", RollbackKeys, context);
            if (rollback != null)
            {
                policy.RollbackConsecutive = Duration(rollback, "consecutive", policy.RollbackConsecutive, context, allowZero: true);
                policy.TrendWindow = Duration(rollback, "trend_window", policy.TrendWindow, context);
                var countNode = rollback["min_violated_gates"];
                if (countNode != null)
                {
                    if (int.TryParse(countNode.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1 && (gates.Count == 0 || count <= gates.Count))
                        policy.RollbackMinViolatedGates = count;
                    else
                        context.Add(countNode, $"min_violated_gates '{countNode.Text}' must be a whole number from 1 to the number of gates ({gates.Count}).");
                }
                policy.RollbackCountsMissingData = Boolean(rollback, "count_missing_data", false, context);
                var trendNode = rollback["trend_gate"];
                if (trendNode != null && !trendNode.IsNull)
                {
                    if (gates.Count > 0 && policy.Gate(trendNode.Text ?? string.Empty) == null)
                        context.Add(trendNode, $"trend_gate '{trendNode.Text}' names no gate; the gates are {string.Join(", ", gates.Select(g => g.Name))}.");
                    else
                        policy.TrendGate = trendNode.Text;
                }
            }
            if (policy.Sustained < TimeSpan.Zero || policy.RollbackConsecutive < TimeSpan.Zero) return policy;
            if (policy.Sustained.Ticks % step.Ticks != 0)
                context.Add(promotion?["sustained"] ?? top, $"promotion.sustained ({PrometheusDuration.Format(policy.Sustained)}) must be a whole number of steps ({PrometheusDuration.Format(step)}).");
            if (policy.RollbackConsecutive.Ticks % step.Ticks != 0)
                context.Add(rollback?["consecutive"] ?? top, $"rollback.consecutive ({PrometheusDuration.Format(policy.RollbackConsecutive)}) must be a whole number of steps ({PrometheusDuration.Format(step)}).");
            return policy;
        }

        private static GateDefinition? ReadGate(YamlTreeNode map, string realm, ReadContext context)
        {
            if (map.Kind != YamlKind.Mapping)
            {
                context.Add(map, "Each gate is a mapping with name, query, operator, threshold and max_age.");
                return null;
            }
            UnknownKeys(map, GateKeys, "a gate", context);
            int before = context.Problems.Count;
            var name = Required(map, "name", context);
            var query = Required(map, "query", context);
            var operatorNode = map["operator"];
            GateOperator op = GateOperator.Equal;
            if (operatorNode == null) context.Add(map, "The gate needs an operator: one of ==, !=, <, <=, >, >=.");
            else if (!GatePolicy.TryParseOperator(operatorNode.Text, out op)) context.Add(operatorNode, $"'{operatorNode.Text}' is not an operator; use one of ==, !=, <, <=, >, >= (quoted).");
            double threshold = Number(map, "threshold", context, required: true) ?? 0;
            var maxAge = Duration(map, "max_age", TimeSpan.Zero, context);
            if (map["max_age"] == null) context.Add(map, "The gate needs max_age, the oldest sample it accepts, such as 90s.");

            if (query != null)
            {
                var queryNode = map["query"]!;
                var concrete = query.Replace(GatePolicy.RealmPlaceholder, realm);
                if (!PromQLParser.TryParse(concrete, out var expr, out var error))
                    context.Add(queryNode, "The query is not valid PromQL: " + error!.Message);
                else if (!(PromQLParser.TryParse(query, out var template, out _) && ParenExpr.Unwrap(template!) is VectorSelector selector && selector.Offset == null && selector.At == null))
                    context.Add(queryNode, "The query must be a plain selector, such as duri_lyapunov_v{metric_realm=\"$realm\"}: only a selector's samples carry the time that max_age is checked against, and Prometheus stamps anything computed with the evaluation time. Record an expression with a recording rule and gate on the recorded series.");
                else if (!selector.Matchers.Any(m => m.Name == "metric_realm" && m.Type == MatchType.Equal && m.Value == GatePolicy.RealmPlaceholder))
                    context.Add(queryNode, "The query must select metric_realm=\"$realm\", so that it reads the realm the policy is used for and strays of other realms cannot pass the gate.");
            }
            if (context.Problems.Count > before) return null;

            var gate = new GateDefinition(name!, query!, op, threshold, maxAge) { Line = map.Line, Column = map.Column };
            gate.ExactlyOneSeries = Boolean(map, "exactly_one_series", true, context);
            var rangeNode = map["range"];
            if (rangeNode != null)
            {
                if (rangeNode.Kind == YamlKind.Sequence && rangeNode.Items.Count == 2
                    && TryNumber(rangeNode.Items[0].Text, out double min) && TryNumber(rangeNode.Items[1].Text, out double max) && min <= max)
                {
                    gate.RangeMin = min;
                    gate.RangeMax = max;
                }
                else
                {
                    context.Add(rangeNode, "range is the values that make sense for the gate, as [min, max], such as [0, 1] for a ratio.");
                }
            }
            return gate;
        }

        private static YamlTreeNode? Section(YamlTreeNode top, string key, string[] keys, ReadContext context)
        {
            var node = top[key];
            if (node == null || node.IsNull) return null;
            if (node.Kind != YamlKind.Mapping)
            {
                context.Add(node, $"'{key}' must be a mapping with {string.Join(", ", keys)}.");
                return null;
            }
            UnknownKeys(node, keys, "'" + key + "'", context);
            return node;
        }

        private static string? Required(YamlTreeNode map, string key, ReadContext context)
        {
            var node = map[key];
            var text = node?.Text;
            if (string.IsNullOrWhiteSpace(text))
            {
                context.Add(node ?? map, $"The gate needs a {key}.");
                return null;
            }
            return text;
        }

        private static double? Number(YamlTreeNode map, string key, ReadContext context, bool required)
        {
            var node = map[key];
            if (node == null)
            {
                if (required) context.Add(map, $"The gate needs a {key}.");
                return null;
            }
            if (TryNumber(node.Text, out double value) && !double.IsNaN(value) && !double.IsInfinity(value)) return value;
            context.Add(node, $"{key} '{node.Text}' is not a finite number.");
            return null;
        }

        private static bool TryNumber(string? text, out double value) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value);

        private static bool Boolean(YamlTreeNode map, string key, bool fallback, ReadContext context)
        {
            var node = map[key];
            if (node == null) return fallback;
            switch (node.Text)
            {
                case "true": return true;
                case "false": return false;
                default:
                    context.Add(node, $"{key} must be true or false, not '{node.Text}'.");
                    return fallback;
            }
        }

        private static TimeSpan Duration(YamlTreeNode map, string key, TimeSpan fallback, ReadContext context, bool allowZero = false)
        {
            var node = map[key];
            if (node == null) return fallback;
            if (PrometheusDuration.TryParse(node.Text ?? string.Empty, out var value) && (value > TimeSpan.Zero || (allowZero && value == TimeSpan.Zero)))
                return value;
            context.Add(node, $"{key} '{node.Text}' is not a {(allowZero ? string.Empty : "positive ")}duration such as 15s, 3m or 1h.");
            return fallback;
        }

        private static void UnknownKeys(YamlTreeNode map, string[] known, string what, ReadContext context)
        {
            foreach (var pair in map.Pairs)
            {
                if (!known.Contains(pair.Key.KeyText))
                    context.Add(pair.Key, $"Unknown key '{pair.Key.KeyText}' in {what}; the keys are {string.Join(", ", known)}.");
            }
        }
    }
}
