using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace Duri.Ops.Engine.Tests.PromQL
{
    /// <summary>What promtool check rules says about one expression.</summary>
    public readonly struct PromtoolVerdict
    {
        public PromtoolVerdict(bool accepted, string message)
        {
            Accepted = accepted;
            Message = message;
        }

        public bool Accepted { get; }

        public string Message { get; }
    }

    /// <summary>
    /// Runs promtool check rules on many expressions at once. Each expression becomes one recording rule with its own
    /// name, written as a double-quoted YAML scalar so that any text survives; promtool reports every failing rule by its
    /// index, so a thousand go into one file and all files into one call per core.
    /// </summary>
    public static class Promtool
    {
        private const int RulesPerFile = 1000;

        private static readonly Regex RuleFailure = new Regex(@"^(f\d+\.yml): \d+:\d+: group ""corpus"", rule (\d+), ""[^""]*"": (.*)$", RegexOptions.Multiline);

        private static readonly Regex FileResult = new Regex(@"^Checking (f\d+\.yml)\n(  SUCCESS)?", RegexOptions.Multiline);

        /// <summary>Fails, saying how to install it, unless promtool 2.42 is there: the parser follows 2.42, so another release is refused too.</summary>
        public static void RequireVersion242()
        {
            var promtool = ExternalTool.Promtool.Find()
                ?? throw new InvalidOperationException(
                    "The PromQL differential test needs promtool 2.42 from the Debian package prometheus. " + ExternalTool.Promtool.InstallHint);
            var run = Duri.Ops.Engine.Rules.Promtool.RunAsync(new[] { "--version" }, Path.GetTempPath(), System.Threading.CancellationToken.None).GetAwaiter().GetResult();
            string version = run.Output + run.Error;
            if (!version.Contains("version 2.42.", StringComparison.Ordinal))
                throw new InvalidOperationException("The PromQL parser follows Prometheus 2.42 (Debian package prometheus in bookworm), but " + promtool + " says: " + version.Trim());
        }

        public static IReadOnlyList<PromtoolVerdict> Check(IReadOnlyList<string> expressions)
        {
            var dir = Path.Combine(Path.GetTempPath(), "duri-promql-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                var files = new List<string>();
                var utf8 = new UTF8Encoding(false);
                for (int first = 0; first < expressions.Count; first += RulesPerFile)
                {
                    var yaml = new StringBuilder("groups:\n- name: corpus\n  rules:\n");
                    for (int i = first; i < Math.Min(first + RulesPerFile, expressions.Count); i++)
                    {
                        yaml.Append("  - record: corpus:expr:e").Append(i.ToString(CultureInfo.InvariantCulture)).Append('\n')
                            .Append("    expr: ").Append(YamlQuote(expressions[i])).Append('\n');
                    }
                    string name = "f" + files.Count.ToString(CultureInfo.InvariantCulture) + ".yml";
                    File.WriteAllText(Path.Combine(dir, name), yaml.ToString(), utf8);
                    files.Add(name);
                }

                var failures = new Dictionary<int, string>();
                int calls = Math.Max(1, Math.Min(Environment.ProcessorCount, files.Count));
                var outputs = new (string Stdout, string Stderr)[calls];
                Parallel.For(0, calls, call => outputs[call] = Run(dir, files.Where((_, index) => index % calls == call)));
                foreach (var (stdout, stderr) in outputs)
                {
                    foreach (Match m in RuleFailure.Matches(stderr))
                    {
                        int file = int.Parse(m.Groups[1].Value.Substring(1, m.Groups[1].Value.Length - 5), CultureInfo.InvariantCulture);
                        int rule = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) - 1;
                        failures[(file * RulesPerFile) + rule] = m.Groups[3].Value;
                    }
                    foreach (Match m in FileResult.Matches(stdout))
                    {
                        if (m.Groups[2].Success) continue;
                        string file = m.Groups[1].Value;
                        if (!Regex.IsMatch(stderr, "^" + Regex.Escape(file) + @": \d+:\d+: group ""corpus"", rule \d+,", RegexOptions.Multiline))
                            throw new InvalidOperationException("promtool failed " + file + " without naming a rule:\n" + stderr);
                    }
                }
                return expressions
                    .Select((_, i) => failures.TryGetValue(i, out var message) ? new PromtoolVerdict(false, message) : new PromtoolVerdict(true, string.Empty))
                    .ToList();
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        private static (string Stdout, string Stderr) Run(string dir, IEnumerable<string> files)
        {
            var run = Duri.Ops.Engine.Rules.Promtool.RunAsync(new[] { "check", "rules" }.Concat(files), dir, System.Threading.CancellationToken.None).GetAwaiter().GetResult();
            return (run.Output, run.Error);
        }

        /// <summary>A YAML double-quoted scalar for any text: escapes keep line breaks, tabs and control characters exact.</summary>
        public static string YamlQuote(string text)
        {
            var sb = new StringBuilder("\"");
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '"' || c == '\\')
                {
                    sb.Append('\\').Append(c);
                }
                else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    sb.Append("\\U").Append(char.ConvertToUtf32(c, text[++i]).ToString("x8", CultureInfo.InvariantCulture));
                }
                else if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029' || c == '\uFEFF' || c >= '\uFFFE' || char.IsSurrogate(c))
                {
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append(c);
                }
            }
            return sb.Append('"').ToString();
        }
    }
}
