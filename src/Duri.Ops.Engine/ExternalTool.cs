using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace Duri.Ops.Engine
{
    /// <summary>A program Duri.Ops runs (prometheus, promtool, node_exporter): how to find it and how to install it.</summary>
    public sealed class ExternalTool
    {
        public static readonly ExternalTool Prometheus = new ExternalTool("prometheus", "DURI_PROMETHEUS_BIN", "prometheus", new[] { "prometheus" });

        public static readonly ExternalTool Promtool = new ExternalTool("promtool", "DURI_PROMTOOL", "prometheus", new[] { "promtool" });

        public static readonly ExternalTool NodeExporter = new ExternalTool("node_exporter", "DURI_NODE_EXPORTER_BIN", "prometheus-node-exporter", new[] { "prometheus-node-exporter", "node_exporter" });

        private readonly string[] _fileNames;

        private ExternalTool(string name, string environmentVariable, string debianPackage, string[] fileNames)
        {
            Name = name;
            EnvironmentVariable = environmentVariable;
            DebianPackage = debianPackage;
            _fileNames = fileNames;
        }

        public string Name { get; }

        public string EnvironmentVariable { get; }

        public string DebianPackage { get; }

        /// <summary>The path from the environment variable if set, else the first match on PATH, else null.</summary>
        public string? Find()
        {
            var overridePath = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrEmpty(overridePath)) return File.Exists(overridePath) ? Path.GetFullPath(overridePath) : null;
            var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
            bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            foreach (var fileName in _fileNames)
            {
                foreach (var dir in path.Split(Path.PathSeparator))
                {
                    if (dir.Length == 0) continue;
                    foreach (var candidate in Candidates(Path.Combine(dir, fileName), windows))
                    {
                        if (File.Exists(candidate)) return candidate;
                    }
                }
            }
            return null;
        }

        private static IEnumerable<string> Candidates(string path, bool windows)
        {
            yield return path;
            if (windows) yield return path + ".exe";
        }

        /// <summary>What to tell a user whose machine lacks the tool.</summary>
        public string InstallHint
        {
            get
            {
                var setVariable = Environment.GetEnvironmentVariable(EnvironmentVariable);
                if (!string.IsNullOrEmpty(setVariable))
                    return $"{EnvironmentVariable} is set to '{setVariable}', which does not exist. Point it at the {Name} binary, or unset it to search PATH.";
                return $"{Name} was not found on PATH. Install it (Debian/Ubuntu: apt-get install {DebianPackage}; elsewhere: the release from prometheus.io), or set {EnvironmentVariable} to the binary.";
            }
        }

        public override string ToString() => Name;
    }
}
