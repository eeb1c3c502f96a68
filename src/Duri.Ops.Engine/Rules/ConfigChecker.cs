using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Rules
{
    /// <summary>The verdict on one file of a Prometheus configuration: the config itself or one of its rule files.</summary>
    public sealed class ConfigCheckResult
    {
        public ConfigCheckResult(string path, string kind, bool passed, IReadOnlyList<string> messages, int groups, int rules,
            IReadOnlyList<string>? groupNames = null, string contentSha256 = "")
        {
            GroupNames = groupNames ?? Array.Empty<string>();
            ContentSha256 = contentSha256;
            Path = path;
            Kind = kind;
            Passed = passed;
            Messages = messages;
            Groups = groups;
            Rules = rules;
        }

        public string Path { get; }

        /// <summary>Config or Rules.</summary>
        public string Kind { get; }

        public bool Passed { get; }

        /// <summary>promtool's complaints, and with -Lint the linter's findings.</summary>
        public IReadOnlyList<string> Messages { get; }

        public int Groups { get; }

        public int Rules { get; }

        /// <summary>The names of the rule groups read from the file, in file order.</summary>
        public IReadOnlyList<string> GroupNames { get; }

        /// <summary>SHA-256 of the text that was checked, so that a later change to the file can be noticed.</summary>
        public string ContentSha256 { get; }

        public override string ToString() => Path + (Passed ? " passed" : " FAILED");
    }

    /// <summary>
    /// The runbook's make promtool-check: promtool check config (syntax only, so that it does not check the rule
    /// files itself), then one promtool check rules over every file the rule_files globs resolve to, so that each
    /// file is checked exactly once; optionally the linter on each rule file.
    /// </summary>
    public static class ConfigChecker
    {
        public const string ConfigKind = "Config";
        public const string RulesKind = "Rules";

        /// <exception cref="PromtoolMissingException">promtool cannot be found.</exception>
        /// <exception cref="FileNotFoundException">The configuration file does not exist.</exception>
        public static async Task<IReadOnlyList<ConfigCheckResult>> CheckAsync(string configPath, LintOptions? lint, CancellationToken cancellationToken, string? promtool = null)
        {
            configPath = System.IO.Path.GetFullPath(configPath);
            if (!File.Exists(configPath)) throw new FileNotFoundException($"The configuration file '{configPath}' does not exist.", configPath);
            var directory = System.IO.Path.GetDirectoryName(configPath)!;
            var results = new List<ConfigCheckResult>();

            var config = await Promtool.RunAsync(new[] { "check", "config", "--syntax-only", configPath }, directory, cancellationToken, promtool).ConfigureAwait(false);
            var configMessages = Lines(config.Error).Concat(Lines(config.Output).Where(l => l.Contains("FAILED"))).ToList();
            PrometheusConfigFile? parsed = null;
            var configText = File.ReadAllText(configPath);
            try
            {
                parsed = PrometheusConfigFile.Parse(configText, configPath);
            }
            catch (ConfigFileException e)
            {
                configMessages.Add(e.Message);
            }
            // Ranges are judged against the scrape interval the config itself sets.
            if (lint != null && parsed?.ScrapeInterval is TimeSpan scrapeInterval) lint.ScrapeInterval = scrapeInterval;
            var ruleFiles = new List<string>();
            foreach (var pattern in parsed?.RuleFiles ?? Array.Empty<string>())
            {
                var matches = Glob(directory, pattern);
                if (matches.Count == 0) configMessages.Add($"rule_files entry '{pattern}' matches no file (Prometheus accepts this silently).");
                ruleFiles.AddRange(matches);
            }
            ruleFiles = ruleFiles.Distinct(StringComparer.Ordinal).ToList();
            results.Add(new ConfigCheckResult(configPath, ConfigKind, config.ExitCode == 0 && parsed != null, configMessages, 0, 0, contentSha256: ContentHash.Sha256Hex(configText)));
            if (ruleFiles.Count == 0) return results;

            var rules = await Promtool.RunAsync(new[] { "check", "rules" }.Concat(ruleFiles), directory, cancellationToken, promtool).ConfigureAwait(false);
            var errorLines = Lines(rules.Error).ToList();
            foreach (var file in ruleFiles)
            {
                var block = Block(rules.Output, file);
                bool passed = block.Contains("SUCCESS");
                var messages = errorLines.Where(l => l.StartsWith(file + ":", StringComparison.Ordinal)).Select(l => l.Substring(file.Length + 1).Trim()).ToList();
                var read = RuleFileReader.Load(file);
                if (lint != null)
                {
                    foreach (var finding in RuleLinter.Lint(read, lint))
                    {
                        messages.Add($"{finding.Line}:{finding.Column}: {finding.Severity.ToString().ToLowerInvariant()} [{finding.Check}] {finding.Message}");
                        if (finding.Severity == LintSeverity.Error) passed = false;
                    }
                }
                if (!passed && messages.Count == 0) messages.Add(block.Trim());
                results.Add(new ConfigCheckResult(file, RulesKind, passed, messages, read.File.Groups.Count, read.File.Groups.Sum(g => g.Rules.Count),
                    read.File.Groups.Select(g => g.Name).ToList(), ContentHash.Sha256Hex(read.Text)));
            }
            return results;
        }

        /// <summary>The files a rule_files entry names, relative to the config's directory; * and ? in any segment.</summary>
        internal static IReadOnlyList<string> Glob(string baseDirectory, string pattern)
        {
            var full = System.IO.Path.IsPathRooted(pattern) ? pattern : System.IO.Path.Combine(baseDirectory, pattern);
            var root = System.IO.Path.GetPathRoot(full) ?? string.Empty;
            var segments = full.Substring(root.Length).Split(new[] { '/', '\\' }, StringSplitOptions.RemoveEmptyEntries);
            IEnumerable<string> current = new[] { root.Length == 0 ? "." : root };
            for (int i = 0; i < segments.Length; i++)
            {
                bool last = i == segments.Length - 1;
                string segment = segments[i];
                current = current.SelectMany(dir =>
                {
                    if (!Directory.Exists(dir)) return Enumerable.Empty<string>();
                    if (segment.IndexOfAny(new[] { '*', '?' }) < 0)
                    {
                        var next = System.IO.Path.Combine(dir, segment);
                        return last ? (File.Exists(next) ? new[] { next } : Array.Empty<string>()) : new[] { next };
                    }
                    return last ? Directory.GetFiles(dir, segment) : Directory.GetDirectories(dir, segment);
                }).ToList();
            }
            return current.OrderBy(f => f, StringComparer.Ordinal).ToList();
        }

        private static IEnumerable<string> Lines(string text) =>
            text.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).Where(l => l.Trim().Length > 0 && l.Trim() != "FAILED:");

        /// <summary>promtool prints "Checking FILE" and then that file's verdict.</summary>
        private static string Block(string output, string file)
        {
            int start = output.IndexOf("Checking " + file + "\n", StringComparison.Ordinal);
            if (start < 0) return string.Empty;
            int next = output.IndexOf("\nChecking ", start + 1, StringComparison.Ordinal);
            return next < 0 ? output.Substring(start) : output.Substring(start, next - start);
        }
    }
}
