using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>A scrape job declared in a Prometheus configuration file.</summary>
    public sealed class ScrapeJobDeclaration
    {
        internal ScrapeJobDeclaration(string name, int line)
        {
            Name = name;
            Line = line;
        }

        public string Name { get; }

        /// <summary>1-based line of its job_name.</summary>
        public int Line { get; }

        public override string ToString() => Name;
    }

    /// <summary>A prometheus.yml that does not parse or lacks what Prometheus requires, with the place to look.</summary>
    public sealed class ConfigFileException : Exception
    {
        public ConfigFileException(string source, int line, int column, string problem, Exception? inner = null)
            : base($"{source}:{line}:{column}: {problem}", inner)
        {
            Source = source;
            Line = line;
            Column = column;
            Problem = problem;
        }

        public new string Source { get; }

        public int Line { get; }

        public int Column { get; }

        public string Problem { get; }
    }

    /// <summary>
    /// What Duri.Ops reads from a Prometheus configuration file: the intervals, the rule file globs and the scrape jobs.
    /// Everything else in the file is left to Prometheus and promtool.
    /// </summary>
    public sealed class PrometheusConfigFile
    {
        private PrometheusConfigFile(string source)
        {
            Source = source;
        }

        public string Source { get; }

        public TimeSpan? ScrapeInterval { get; private set; }

        public TimeSpan? EvaluationInterval { get; private set; }

        /// <summary>The rule_files entries as written (globs, relative to the file's directory).</summary>
        public IReadOnlyList<string> RuleFiles { get; private set; } = Array.Empty<string>();

        public IReadOnlyList<ScrapeJobDeclaration> ScrapeJobs { get; private set; } = Array.Empty<ScrapeJobDeclaration>();

        /// <exception cref="FileNotFoundException">No such file.</exception>
        /// <exception cref="ConfigFileException">The file does not parse or a required field is missing.</exception>
        public static PrometheusConfigFile Load(string path)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"The configuration file '{path}' does not exist.", path);
            return Parse(File.ReadAllText(path), path);
        }

        /// <exception cref="ConfigFileException">The text does not parse or a required field is missing.</exception>
        public static PrometheusConfigFile Parse(string yaml, string source)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(yaml));
            }
            catch (YamlException e)
            {
                throw new ConfigFileException(source, (int)e.Start.Line, (int)e.Start.Column, "not valid YAML: " + e.Message, e);
            }
            var config = new PrometheusConfigFile(source);
            if (stream.Documents.Count == 0) return config;
            var root = stream.Documents[0].RootNode;
            if (root is YamlScalarNode emptyScalar && string.IsNullOrEmpty(emptyScalar.Value)) return config;
            if (!(root is YamlMappingNode top)) throw Error(source, root, "the file must be a mapping of sections (global, rule_files, scrape_configs, ...)");

            if (Child(top, "global") is YamlMappingNode global)
            {
                config.ScrapeInterval = Duration(source, Child(global, "scrape_interval"));
                config.EvaluationInterval = Duration(source, Child(global, "evaluation_interval"));
            }
            config.RuleFiles = Strings(source, Child(top, "rule_files"), "rule_files");
            config.ScrapeJobs = Jobs(source, Child(top, "scrape_configs"));
            return config;
        }

        private static IReadOnlyList<ScrapeJobDeclaration> Jobs(string source, YamlNode? node)
        {
            if (node == null || IsNull(node)) return Array.Empty<ScrapeJobDeclaration>();
            if (!(node is YamlSequenceNode sequence)) throw Error(source, node, "scrape_configs must be a list");
            var jobs = new List<ScrapeJobDeclaration>();
            foreach (var item in sequence)
            {
                if (!(item is YamlMappingNode job)) throw Error(source, item, "each scrape_configs entry must be a mapping");
                if (!(Child(job, "job_name") is YamlScalarNode name) || string.IsNullOrEmpty(name.Value))
                    throw Error(source, item, "a scrape config has no job_name");
                var previous = jobs.FirstOrDefault(j => j.Name == name.Value);
                if (previous != null) throw Error(source, name, $"job_name '{name.Value}' is already used on line {previous.Line}");
                jobs.Add(new ScrapeJobDeclaration(name.Value!, (int)name.Start.Line));
            }
            return jobs;
        }

        private static IReadOnlyList<string> Strings(string source, YamlNode? node, string what)
        {
            if (node == null || IsNull(node)) return Array.Empty<string>();
            if (!(node is YamlSequenceNode sequence)) throw Error(source, node, what + " must be a list");
            return sequence.Select(item => item is YamlScalarNode scalar && !string.IsNullOrEmpty(scalar.Value)
                ? scalar.Value!
                : throw Error(source, item, "each " + what + " entry must be a path")).ToList();
        }

        private static TimeSpan? Duration(string source, YamlNode? node)
        {
            if (node == null || IsNull(node)) return null;
            if (node is YamlScalarNode scalar && PrometheusDuration.TryParse(scalar.Value ?? string.Empty, out var duration)) return duration;
            throw Error(source, node, $"'{(node as YamlScalarNode)?.Value}' is not a duration such as 15s or 1m");
        }

        private static YamlNode? Child(YamlMappingNode mapping, string key) =>
            mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode scalar && scalar.Style == ScalarStyle.Plain && (scalar.Value == null || scalar.Value == string.Empty || scalar.Value == "~" || scalar.Value == "null");

        private static ConfigFileException Error(string source, YamlNode node, string problem) =>
            new ConfigFileException(source, (int)node.Start.Line, (int)node.Start.Column, problem);
    }
}
