using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using YamlDotNet.RepresentationModel;

namespace Duri.Ops.Engine.Rules
{
    /// <summary>One expectation promtool found unmet.</summary>
    public sealed class RuleTestFailure
    {
        internal RuleTestFailure(string subject, string time, string expected, string actual, string message)
        {
            Subject = subject;
            Time = time;
            Expected = expected;
            Actual = actual;
            Message = message;
        }

        /// <summary>The PromQL expression or alert name under test.</summary>
        public string Subject { get; }

        public string Time { get; }

        public string Expected { get; }

        public string Actual { get; }

        /// <summary>promtool's own words for this failure.</summary>
        public string Message { get; }

        public override string ToString() => Message;
    }

    /// <summary>The outcome of one test group of a promtool unit test file.</summary>
    public sealed class RuleTestResult
    {
        internal RuleTestResult(string file, string group, int index, bool passed, IReadOnlyList<RuleTestFailure> failures, TimeSpan duration)
        {
            File = file;
            Group = group;
            Index = index;
            Passed = passed;
            Failures = failures;
            Duration = duration;
        }

        public string File { get; }

        /// <summary>The group's name, or "group N" when it has none.</summary>
        public string Group { get; }

        /// <summary>1-based position of the group in its file.</summary>
        public int Index { get; }

        public bool Passed { get; }

        public IReadOnlyList<RuleTestFailure> Failures { get; }

        public TimeSpan Duration { get; }
    }

    /// <summary>
    /// Runs promtool test rules one test group at a time, because promtool reports failures per file only:
    /// each group goes into a temporary copy of its file beside the original (so relative rule_files resolve).
    /// </summary>
    public static class RuleTestRunner
    {
        private static readonly Regex FailureStart = new Regex(@"^\s*(expr|alertname): (.*?), time: ([^,]+),?\s*$", RegexOptions.Compiled);

        /// <exception cref="PromtoolMissingException">promtool cannot be found.</exception>
        /// <exception cref="InvalidDataException">The file is not a promtool test file.</exception>
        public static async Task<IReadOnlyList<RuleTestResult>> RunAsync(string testFile, CancellationToken cancellationToken, Action<string>? progress = null)
        {
            Promtool.Locate();
            var text = File.ReadAllText(testFile);
            var (root, groups) = Split(text, testFile);
            var directory = Path.GetDirectoryName(Path.GetFullPath(testFile))!;
            var results = new List<RuleTestResult>();
            for (int i = 0; i < groups.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = GroupName(groups[i], i + 1);
                progress?.Invoke($"{Path.GetFileName(testFile)}: {name}");
                var single = new YamlMappingNode();
                foreach (var entry in root.Children)
                {
                    single.Add(entry.Key, ((YamlScalarNode)entry.Key).Value == "tests" ? new YamlSequenceNode(groups[i]) : entry.Value);
                }
                var temporary = Path.Combine(directory, $".duri-test-{Guid.NewGuid():N}.yml");
                try
                {
                    using (var writer = new StreamWriter(temporary))
                    {
                        new YamlStream(new YamlDocument(single)).Save(writer, assignAnchors: false);
                    }
                    var started = DateTime.UtcNow;
                    var run = await Promtool.RunAsync(new[] { "test", "rules", Path.GetFileName(temporary) }, directory, cancellationToken).ConfigureAwait(false);
                    var failures = ParseFailures(run.Output + "\n" + run.Error);
                    bool passed = run.ExitCode == 0;
                    if (!passed && failures.Count == 0)
                    {
                        var message = (run.Error + "\n" + run.Output).Replace(Path.GetFileName(temporary), Path.GetFileName(testFile)).Trim();
                        failures = new[] { new RuleTestFailure(string.Empty, string.Empty, string.Empty, string.Empty, message) };
                    }
                    results.Add(new RuleTestResult(testFile, name, i + 1, passed, failures, DateTime.UtcNow - started));
                }
                finally
                {
                    File.Delete(temporary);
                }
            }
            return results;
        }

        private static (YamlMappingNode Root, IReadOnlyList<YamlNode> Groups) Split(string text, string source)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new InvalidDataException($"{source}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.Message}", e);
            }
            if (stream.Documents.Count == 0 || !(stream.Documents[0].RootNode is YamlMappingNode root))
                throw new InvalidDataException($"{source} is not a promtool test file: it has no 'rule_files' and 'tests'.");
            if (!root.Children.TryGetValue(new YamlScalarNode("tests"), out var tests) || !(tests is YamlSequenceNode groups))
                throw new InvalidDataException($"{source} is not a promtool test file: it has no 'tests' list.");
            return (root, groups.Children.ToList());
        }

        private static string GroupName(YamlNode group, int index) =>
            group is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode("name"), out var name) && name is YamlScalarNode scalar && !string.IsNullOrEmpty(scalar.Value)
                ? scalar.Value!
                : "group " + index;

        /// <summary>promtool prints each unmet expectation as a header line followed by exp: and got: lines.</summary>
        internal static IReadOnlyList<RuleTestFailure> ParseFailures(string output)
        {
            var failures = new List<RuleTestFailure>();
            var lines = output.Replace("\r\n", "\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                var match = FailureStart.Match(lines[i]);
                if (!match.Success) continue;
                string subject = match.Groups[2].Value;
                if (match.Groups[1].Value == "expr" && subject.StartsWith("\"", StringComparison.Ordinal)) subject = Unquote(subject);
                string expected = string.Empty, actual = string.Empty;
                var block = new List<string> { lines[i].Trim() };
                int j = i + 1;
                for (; j < lines.Length && !FailureStart.IsMatch(lines[j]) && lines[j].Trim().Length > 0; j++)
                {
                    var line = lines[j].Trim();
                    block.Add(line);
                    if (line.StartsWith("exp:", StringComparison.Ordinal)) expected = line.Substring(4).Trim();
                    else if (line.StartsWith("got:", StringComparison.Ordinal)) actual = line.Substring(4).Trim();
                    else if (expected.Length > 0 && actual.Length == 0) expected += " " + line;
                    else if (actual.Length > 0) actual += " " + line;
                }
                failures.Add(new RuleTestFailure(subject, match.Groups[3].Value.Trim(), expected, actual, string.Join("\n", block)));
                i = j - 1;
            }
            return failures;
        }

        private static string Unquote(string quoted)
        {
            var body = quoted.Substring(1, quoted.Length - 2);
            return Regex.Replace(body, @"\\(.)", m => m.Groups[1].Value);
        }
    }
}
