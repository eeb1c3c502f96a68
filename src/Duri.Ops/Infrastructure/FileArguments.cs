using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace Duri.Ops.Infrastructure
{
    /// <summary>
    /// -Path as PowerShell users expect it: provider paths, wildcards, directories (searched recursively for the
    /// files the cmdlet reads) and FileInfo objects from Get-ChildItem (by their PSPath).
    /// </summary>
    internal static class FileArguments
    {
        /// <summary>The files named, in order and without repeats; a path that matches nothing is an error for that path.</summary>
        public static IReadOnlyList<string> Resolve(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal, Func<string, bool> directoryFilter, string errorId)
        {
            var files = new List<string>();
            foreach (var path in paths)
            {
                IEnumerable<string> resolved;
                try
                {
                    resolved = literal
                        ? new[] { cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path) }
                        : cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _);
                }
                catch (ItemNotFoundException e)
                {
                    cmdlet.WriteError(new ErrorRecord(e, errorId, ErrorCategory.ObjectNotFound, path));
                    continue;
                }
                foreach (var item in resolved)
                {
                    if (Directory.Exists(item))
                    {
                        files.AddRange(Directory.EnumerateFiles(item, "*", SearchOption.AllDirectories)
                            .Where(f => !Path.GetFileName(f).StartsWith(".", StringComparison.Ordinal) && directoryFilter(f))
                            .OrderBy(f => f, StringComparer.Ordinal));
                    }
                    else if (File.Exists(item))
                    {
                        files.Add(item);
                    }
                    else
                    {
                        cmdlet.WriteError(new ErrorRecord(new FileNotFoundException($"'{item}' does not exist.", item), errorId, ErrorCategory.ObjectNotFound, item));
                    }
                }
            }
            return files.Distinct(StringComparer.Ordinal).ToList();
        }

        public static bool IsYaml(string path) =>
            path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase);

        public static bool IsTestFile(string path) =>
            path.EndsWith(".test.yml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".test.yaml", StringComparison.OrdinalIgnoreCase);
    }
}
