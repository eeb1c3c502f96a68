using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Duri.Ops.Engine.Rules
{
    /// <summary>promtool is not installed or not where DURI_PROMTOOL says.</summary>
    public sealed class PromtoolMissingException : Exception
    {
        public PromtoolMissingException(string message) : base(message)
        {
        }
    }

    public sealed class PromtoolResult
    {
        internal PromtoolResult(int exitCode, string output, string error)
        {
            ExitCode = exitCode;
            Output = output;
            Error = error;
        }

        public int ExitCode { get; }

        public string Output { get; }

        public string Error { get; }
    }

    /// <summary>Runs promtool, found through DURI_PROMTOOL or PATH; cancellation kills it.</summary>
    public static class Promtool
    {
        /// <exception cref="PromtoolMissingException">promtool cannot be found.</exception>
        public static string Locate(string? explicitPath = null)
        {
            if (explicitPath == null) return ExternalTool.Promtool.Find() ?? throw new PromtoolMissingException(ExternalTool.Promtool.InstallHint);
            return System.IO.File.Exists(explicitPath) ? explicitPath : throw new PromtoolMissingException($"promtool was not found at '{explicitPath}'.");
        }

        public static async Task<PromtoolResult> RunAsync(IEnumerable<string> arguments, string workingDirectory, CancellationToken cancellationToken, string? promtool = null)
        {
            var info = new ProcessStartInfo(Locate(promtool), string.Join(" ", arguments.Select(Quote)))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
                WorkingDirectory = workingDirectory,
            };
            using var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.Exited += (_, _) => exited.TrySetResult(true);
            process.Start();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using (cancellationToken.Register(() =>
            {
                try { process.Kill(); }
                catch (InvalidOperationException) { }
            }))
            {
                await Task.WhenAll(exited.Task, output, error).ConfigureAwait(false);
            }
            process.WaitForExit();
            cancellationToken.ThrowIfCancellationRequested();
            return new PromtoolResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }

        private static string Quote(string argument) =>
            argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '"', '\t', '\'' }) < 0 ? argument : "\"" + argument.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
