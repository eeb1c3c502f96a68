using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace Duri.Ops.Engine.Tests.PromQL
{
    /// <summary>
    /// The expressions the differential, round-trip and fuzz tests share: hand-written edge cases, the expressions of
    /// the rule files beside them, systematically generated families and seeded mutations of all of those.
    /// </summary>
    public static class PromQLCorpus
    {
        private static readonly Lazy<IReadOnlyList<string>> BaseCases = new Lazy<IReadOnlyList<string>>(
            () => EdgeCases().Concat(RuleFileExpressions()).Concat(Generated()).Distinct(StringComparer.Ordinal).ToList());

        private static readonly Lazy<IReadOnlyList<string>> AllCases = new Lazy<IReadOnlyList<string>>(
            () => BaseCases.Value.Concat(Mutations(BaseCases.Value, 2, 424242)).Where(IsUnicode).Distinct(StringComparer.Ordinal).ToList());

        /// <summary>Edge cases, rule files and generated families.</summary>
        public static IReadOnlyList<string> Base => BaseCases.Value;

        /// <summary><see cref="Base"/> plus two seeded mutations of each, leaving out the few that split a surrogate pair.</summary>
        public static IReadOnlyList<string> All => AllCases.Value;

        /// <summary>
        /// The corpus folder in the source tree: the test project does not copy it, so it is found from the build
        /// output by walking up, which also finds a copy placed next to the test assembly first.
        /// </summary>
        public static string Directory
        {
            get
            {
                for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                {
                    var candidate = Path.Combine(dir.FullName, "PromQL", "corpus");
                    if (System.IO.Directory.Exists(candidate)) return candidate;
                }
                throw new DirectoryNotFoundException("PromQL/corpus was not found above " + AppContext.BaseDirectory);
            }
        }

        public static IEnumerable<string> EdgeCases() =>
            File.ReadAllLines(Path.Combine(Directory, "edge-cases.txt"), Encoding.UTF8)
                .Where(line => line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal));

        public static IEnumerable<string> RuleFileExpressions()
        {
            foreach (var file in System.IO.Directory.GetFiles(Directory, "*.rules.yml").OrderBy(f => f, StringComparer.Ordinal))
            {
                var yaml = new YamlStream();
                using (var reader = new StreamReader(file, Encoding.UTF8)) yaml.Load(reader);
                var root = (YamlMappingNode)yaml.Documents[0].RootNode;
                foreach (YamlMappingNode group in (YamlSequenceNode)root.Children[new YamlScalarNode("groups")])
                {
                    foreach (YamlMappingNode rule in (YamlSequenceNode)group.Children[new YamlScalarNode("rules")])
                    {
                        yield return ((YamlScalarNode)rule.Children[new YamlScalarNode("expr")]).Value!;
                    }
                }
            }
        }

        /// <summary>Families that cover the grammar and the type rules systematically.</summary>
        public static IEnumerable<string> Generated()
        {
            string[] operands = { "1", "x", "\"s\"", "x[5m]" };
            string[] ops = { "+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<=", "and", "or", "unless", "atan2" };

            // Operator pairs over scalar and vector operands: which grouping Prometheus picks decides
            // whether scalar comparisons lack bool or set operators meet scalars, so acceptance reveals precedence.
            foreach (var op1 in ops)
            {
                foreach (var op2 in ops)
                {
                    foreach (var a in new[] { "1", "x" })
                    {
                        foreach (var b in new[] { "1", "y" })
                        {
                            foreach (var c in new[] { "1", "z" })
                            {
                                yield return a + " " + op1 + " " + b + " " + op2 + " " + c;
                            }
                        }
                    }
                }
                foreach (var unary in new[] { "-", "+" })
                {
                    yield return unary + "1 " + op1 + " x";
                    yield return unary + "x " + op1 + " 1";
                    yield return "1 " + op1 + " " + unary + "x";
                    yield return unary + "1 " + op1 + " 1";
                }
            }

            // Every operator on every pair of operand types, with and without bool and vector matching.
            foreach (var op in ops)
            {
                foreach (var left in operands)
                {
                    foreach (var right in operands)
                    {
                        yield return left + " " + op + " " + right;
                        yield return left + " " + op + " bool " + right;
                    }
                }
                foreach (var modifier in new[] { "on(a)", "ignoring(a)", "on()", "ignoring()", "on(a) group_left", "on(a) group_right(b)", "ignoring(a) group_left(a)", "on(a) group_left(a)", "bool on(a)", "bool ignoring(a) group_left(b)" })
                {
                    yield return "x " + op + " " + modifier + " y";
                    yield return "1 " + op + " " + modifier + " y";
                    yield return "x " + op + " " + modifier + " 1";
                }
            }

            // Every function with arguments of each type, and with one argument too few and too many.
            string[] functions =
            {
                "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "avg_over_time", "ceil", "changes",
                "clamp", "clamp_max", "clamp_min", "cos", "cosh", "count_over_time", "day_of_month", "day_of_week", "day_of_year",
                "days_in_month", "deg", "delta", "deriv", "exp", "floor", "histogram_count", "histogram_fraction", "histogram_quantile",
                "histogram_sum", "holt_winters", "hour", "idelta", "increase", "irate", "label_join", "label_replace", "last_over_time",
                "ln", "log10", "log2", "max_over_time", "min_over_time", "minute", "month", "pi", "predict_linear", "present_over_time",
                "quantile_over_time", "rad", "rate", "resets", "round", "scalar", "sgn", "sin", "sinh", "sort", "sort_desc", "sqrt",
                "stddev_over_time", "stdvar_over_time", "sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year",
                "histogram_stddev", "histogram_stdvar", "sort_by_label", "mad_over_time", "double_exponential_smoothing", "info", "Rate", "RATE",
            };
            foreach (var function in functions)
            {
                for (int count = 0; count <= 6; count++)
                {
                    foreach (var type in operands)
                    {
                        yield return function + "(" + string.Join(", ", Enumerable.Repeat(type, count)) + ")";
                    }
                }
                yield return function + "(x[5m], 1)";
                yield return function + "(1, x[5m])";
                yield return function + "(1, x)";
                yield return function + "(1, 1, x)";
                yield return function + "(x[5m], 1, 1)";
                yield return function + "(x, 1)";
                yield return function + "(x, 1, 1)";
                yield return function + "(x, \"a\", \"b\", \"c\", \"d\")";
                yield return function + "(x, \"a\", \"b\", \"c\", \"d\", \"e\")";
                yield return function;
            }

            // Aggregations with each argument shape and both places for the grouping clause.
            string[] aggregations = { "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values" };
            foreach (var aggregation in aggregations)
            {
                foreach (var args in new[] { "", "x", "1", "\"v\"", "x[5m]", "1, x", "\"v\", x", "x, 1", "scalar(x), x", "1, x[5m]", "x, y", "1, 2, x" })
                {
                    yield return aggregation + "(" + args + ")";
                    yield return aggregation + " by (a) (" + args + ")";
                    yield return aggregation + "(" + args + ") without (a, b)";
                }
                yield return aggregation;
                yield return aggregation + "{a=\"b\"}";
                yield return aggregation + " by () (x)";
                yield return aggregation + " without () (x)";
                yield return aggregation + " by (a) (x) by (b)";
                yield return aggregation + " (x) by (a,)";
                yield return "x + " + aggregation;
                yield return "sum by (" + aggregation + ") (x)";
            }

            // Words that are keywords somewhere, as metric names, label names, grouping labels and after operators.
            string[] words =
            {
                "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
                "and", "or", "unless", "atan2", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
                "start", "end", "inf", "nan", "Inf", "NaN", "SUM", "By", "OFFSET", "rate", "time", "le", "__name__", "a:b", "_", "x1",
            };
            foreach (var word in words)
            {
                yield return word;
                yield return word + "{a=\"b\"}";
                yield return "{" + word + "=\"b\"}";
                yield return "sum by (" + word + ") (x)";
                yield return "sum without (" + word + ") (x)";
                yield return "x * on(" + word + ") group_left(" + word + ") y";
                yield return "x + " + word;
                yield return word + " + x";
                yield return "rate(" + word + "[5m])";
                yield return word + " offset 5m";
                yield return word + "[5m:1m]";
            }

            // Number spellings, plain and after @.
            string[] numbers =
            {
                "0", "1", "-1", "+1", "1.5", ".5", "5.", "1e3", "1E3", "1e+3", "1e-3", "1e", "1e+", ".e3", "0x1f", "0X1F", "0x", "0x1.5",
                "010", "08", "0777", "09.5", "1_000", "0b1", "0o7", "Inf", "-Inf", "+Inf", "NaN", "nan", "INF", "infinity",
                "1e308", "1e309", "-1e309", "1e-400", "9223372036854775807", "9223372036854775808", "0x7fffffffffffffff",
                "0x8000000000000000", "00", "1.2.3", "1..2", "1ee3", "1e3.5",
            };
            foreach (var number in numbers)
            {
                yield return number;
                yield return "x @ " + number;
                yield return "x > " + number;
                yield return number + " * 2";
            }

            // Duration spellings in ranges, subqueries and offsets.
            string[] durations =
            {
                "5m", "1h30m", "1y2w3d4h5m6s7ms", "5ms", "0s", "0m1s", "1.5m", "5", "5M", "5H", "1h1h", "1s1m", "5m5m", "1w1y", "1hs",
                "1ms5s", "292y", "293y", "106751d", "106752d", "9223372036854ms", "9223372036855ms", "99999999999999999999s", "m", "5mm",
                "1d25h", "00005m", " 5m", "5m ", "5 m",
            };
            foreach (var duration in durations)
            {
                yield return "x[" + duration + "]";
                yield return "x[" + duration + ":]";
                yield return "x[5m:" + duration + "]";
                yield return "x offset " + duration;
                yield return "x offset -" + duration;
                yield return "x[1m] offset " + duration;
            }

            // Modifier placement.
            string[] modifiers = { " offset 5m", " offset -5m", " @ 100", " @ start()", " @ end()", "[5m]", "[5m:]", "[5m:1m]" };
            string[] targets = { "x", "x[5m]", "x[5m:1m]", "(x)", "sum(x)", "rate(x[5m])", "1", "\"s\"", "-x", "x + y", "x offset 1m", "x @ 1" };
            foreach (var target in targets)
            {
                foreach (var first in modifiers)
                {
                    yield return target + first;
                    foreach (var second in modifiers) yield return target + first + second;
                }
            }

            // Selectors and matchers.
            string[] matchers =
            {
                "a=\"b\"", "a!=\"b\"", "a=~\"b\"", "a!~\"b\"", "a=\"\"", "a!=\"\"", "a=~\"\"", "a!~\"\"", "a=~\".*\"", "a=~\".+\"", "a!~\".*\"",
                "a!~\".+\"", "a=~\"x|\"", "a=~\"(\"", "a=~\"[\"", "a=~\"\\\\d+\"", "a=~\"(?i)x\"", "a=~\"a{2}\"", "a=~\"\\\\b\"", "__name__=\"x\"",
                "__name__=~\"x.*\"", "a='b'", "a=`b`", "a=\"b\",", "a=\"b\", c=\"d\"", "a=\"b\",,", "a", "a=", "=\"b\"", "a==\"b\"", "a~\"b\"",
                "a=b", "a=1", "on=\"b\"", "a=\"\\xff\"", "a=~\"\\xff\"", "a=~\"\\xc3\\xa9\"",
            };
            foreach (var matcher in matchers)
            {
                yield return "{" + matcher + "}";
                yield return "x{" + matcher + "}";
                yield return "{" + matcher + ", b=\"c\"}";
                yield return "{b=\"\", " + matcher + "}";
            }

            // Go's limits on regex nesting and compiled size, on both sides of the line.
            foreach (int depth in new[] { 997, 998, 999, 1000 })
            {
                yield return "{a=~\"" + new string('(', depth) + "a" + new string(')', depth) + "\"}";
            }
            foreach (int count in new[] { 3355, 3356 })
            {
                yield return "{a=~\"" + string.Concat(Enumerable.Repeat("a{1000}", count)) + "\"}";
            }

            // Seeded random text from small alphabets, where the rules are dense: RE2 syntax in raw strings (so the
            // regex sees every backslash), string escapes, and number or duration spellings.
            var random = new Random(20230131);
            for (int i = 0; i < 3000; i++)
            {
                yield return (i % 2 == 0 ? "{a=~`" : "{a!~`") + RandomText(random, RegexAlphabet, 1 + random.Next(9)) + "`}";
            }
            for (int i = 0; i < 1000; i++)
            {
                yield return "\"" + RandomText(random, EscapeAlphabet, 1 + random.Next(8)) + "\"";
                yield return "'" + RandomText(random, EscapeAlphabet, 1 + random.Next(8)) + "'";
            }
            for (int i = 0; i < 1500; i++)
            {
                string token = RandomText(random, NumberAlphabet, 1 + random.Next(7));
                yield return token;
                yield return "x[" + token + "]";
                yield return "x offset " + token;
            }
        }

        private static readonly string[] RegexAlphabet =
        {
            "(", ")", "[", "]", "{", "}", "^", "$", ".", "*", "+", "?", "|", "\\", "-", ":", ",", "0", "1", "2", "9", "a", "d", "p", "P", "Q", "E",
            "b", "B", "z", "A", "x", "s", "w", "_", "<", ">", "=", "!", "i", "m", "U", "#", "{2}", "{1,}", "{0,3}", "{1001}", "(?i)", "(?:",
            "(?P<n>", "[:alpha:]", "[:^digit:]", "\\pL", "\\p{Greek}", "\\x41", "\\x{263a}", "\\Q", "\\E", "\\d", "\\1", "\\0", "é",
        };

        private static readonly string[] EscapeAlphabet =
        {
            "\\", "\\", "\\", "a", "b", "n", "x", "u", "U", "0", "1", "7", "8", "f", "F", "d", "D", "'", "\"", "`", " ", "é",
        };

        private static readonly string[] NumberAlphabet =
        {
            "0", "1", "5", "9", ".", "e", "E", "+", "-", "x", "X", "f", "a", "s", "m", "h", "d", "w", "y", "i", "n", "I", "N", "_",
        };

        private static string RandomText(Random random, string[] alphabet, int pieces)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < pieces; i++) sb.Append(alphabet[random.Next(alphabet.Length)]);
            return sb.ToString();
        }

        /// <summary>Whether the text has no lone surrogate, so it can be written as UTF-8 for promtool.</summary>
        public static bool IsUnicode(string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (!char.IsSurrogate(text[i])) continue;
                if (!char.IsHighSurrogate(text[i]) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) return false;
                i++;
            }
            return true;
        }

        /// <summary>Seeded character-level mutations that keep within the PromQL alphabet, so they probe near misses.</summary>
        public static IEnumerable<string> Mutations(IEnumerable<string> seeds, int perSeed, int seed)
        {
            var random = new Random(seed);
            foreach (var source in seeds)
            {
                for (int i = 0; i < perSeed; i++) yield return Mutate(source, random);
            }
        }

        private static readonly string[] Fragments =
        {
            "(", ")", "[", "]", "{", "}", ",", "\"", "'", "`", ":", "=", "=~", "!=", "!~", "+", "-", "*", "/", "^", "%", "<", ">", "==",
            "@", " ", "\n", "#", "0", "1", "5", ".", "e", "x", "_", "5m", "1h", "[5m]", "[5m:]", " offset 1m", " @ 1", " by (a)",
            " without ()", " on(a)", " ignoring(a)", " group_left", " bool", " and ", " or ", " unless ", "sum", "rate", "\\", "\\x",
        };

        public static string Mutate(string source, Random random)
        {
            var text = new StringBuilder(source);
            int edits = 1 + random.Next(3);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(text.Length + 1);
                switch (random.Next(5))
                {
                    case 0:
                        if (text.Length > 0) text.Remove(Math.Min(at, text.Length - 1), 1);
                        break;
                    case 1:
                        text.Insert(at, Fragments[random.Next(Fragments.Length)]);
                        break;
                    case 2:
                        if (text.Length > 0) text[Math.Min(at, text.Length - 1)] = Fragments[random.Next(Fragments.Length)][0];
                        break;
                    case 3:
                        if (at < text.Length)
                        {
                            int length = Math.Min(1 + random.Next(8), text.Length - at);
                            string piece = text.ToString(at, length);
                            text.Insert(random.Next(text.Length + 1), piece);
                        }
                        break;
                    default:
                        if (at + 1 < text.Length)
                        {
                            char c = text[at];
                            text[at] = text[at + 1];
                            text[at + 1] = c;
                        }
                        break;
                }
            }
            return text.ToString();
        }
    }
}
