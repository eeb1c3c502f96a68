using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Sandbox
{
    public sealed class SandboxOptions
    {
        /// <summary>Where the sandbox lives; must not exist or be empty. Default: a new directory under the temp directory.</summary>
        public string? Path { get; set; }

        public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>Rule evaluation interval; defaults to the scrape interval.</summary>
        public TimeSpan? EvaluationInterval { get; set; }

        /// <summary>How long to wait for Prometheus to be ready and to have scraped every target once.</summary>
        public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Rule files copied into the sandbox's rules directory before Prometheus starts.</summary>
        public IList<string> RuleFiles { get; } = new List<string>();

        /// <summary>
        /// A directory of TSDB blocks (as promtool tsdb create-blocks-from writes them) copied into the data directory
        /// before Prometheus starts, so that the sandbox serves their history from its first query.
        /// </summary>
        public string? BlocksDirectory { get; set; }

        /// <summary>Whether Prometheus runs with --web.enable-lifecycle (POST /-/reload and /-/quit); without it only SIGHUP reloads.</summary>
        public bool EnableLifecycleApi { get; set; } = true;

        /// <summary>Identifies the owner within its process (a runspace), so that Remove-Module stops only its own sandboxes.</summary>
        public string OwnerTag { get; set; } = string.Empty;
    }

    public enum SandboxState
    {
        Running,
        Stopped,
    }

    /// <summary>
    /// A throwaway local stack: a real Prometheus (lifecycle API on unless turned off) and a node_exporter (textfile collector only),
    /// both on free loopback ports, in one directory holding prometheus.yml, rules/, textfile/, data/ and logs.
    /// </summary>
    public sealed class DuriSandbox : IDisposable
    {
        public const string PrometheusJob = "prometheus";
        public const string NodeExporterJob = "node";

        private readonly SandboxRecord _record;
        private readonly List<Process> _processes = new List<Process>();
        private readonly List<StreamWriter> _logs = new List<StreamWriter>();

        static DuriSandbox()
        {
            // A session that ends normally takes its sandboxes with it; ones from crashed sessions are swept at the next start.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopOwnedBy(null);
        }

        private DuriSandbox(SandboxRecord record, SandboxOptions options)
        {
            _record = record;
            Path = record.Path;
            ScrapeInterval = options.ScrapeInterval;
            EvaluationInterval = options.EvaluationInterval ?? options.ScrapeInterval;
        }

        public string Id => _record.Id;

        public SandboxState State { get; private set; } = SandboxState.Running;

        public Uri PrometheusUri { get; private set; } = null!;

        public Uri NodeExporterUri { get; private set; } = null!;

        /// <summary>A connection to the sandbox's Prometheus, so the sandbox pipes into every querying cmdlet.</summary>
        public PrometheusConnection Prometheus { get; private set; } = null!;

        public string Path { get; }

        public string ConfigPath => System.IO.Path.Combine(Path, "prometheus.yml");

        public string RulesDirectory => System.IO.Path.Combine(Path, "rules");

        public string TextfileDirectory => System.IO.Path.Combine(Path, "textfile");

        public string DataDirectory => System.IO.Path.Combine(Path, "data");

        public string LogDirectory => System.IO.Path.Combine(Path, "logs");

        public int PrometheusProcessId => _record.PrometheusPid;

        public int NodeExporterProcessId => _record.NodeExporterPid;

        public TimeSpan ScrapeInterval { get; }

        public TimeSpan EvaluationInterval { get; }

        public DateTimeOffset StartedAt { get; private set; }

        public string PrometheusVersion => Prometheus?.Version ?? string.Empty;

        /// <summary>Starts the stack and returns once Prometheus is ready and has scraped node_exporter and itself once.</summary>
        public static async Task<DuriSandbox> StartAsync(SandboxOptions options, Action<string>? progress = null, CancellationToken cancellationToken = default)
        {
            if (options.ScrapeInterval < TimeSpan.FromMilliseconds(100) || options.ScrapeInterval.Ticks % TimeSpan.TicksPerMillisecond != 0)
                throw new ArgumentOutOfRangeException(nameof(options), "The scrape interval must be a whole number of milliseconds, at least 100 ms.");
            var prometheusBin = ExternalTool.Prometheus.Find() ?? throw Missing(ExternalTool.Prometheus);
            var nodeExporterBin = ExternalTool.NodeExporter.Find() ?? throw Missing(ExternalTool.NodeExporter);

            foreach (var cleaned in CleanupStale()) progress?.Invoke($"Removed the sandbox {cleaned} left behind by a session that ended without stopping it.");

            if (options.BlocksDirectory != null && !Directory.Exists(options.BlocksDirectory))
                throw new SandboxException(SandboxFailure.StartFailed, $"The blocks directory '{options.BlocksDirectory}' does not exist.") { Target = options.BlocksDirectory };
            foreach (var ruleFile in options.RuleFiles)
            {
                if (!File.Exists(ruleFile)) throw new SandboxException(SandboxFailure.RuleFileMissing, $"The rule file '{ruleFile}' does not exist.") { Target = ruleFile };
            }
            string id = Guid.NewGuid().ToString("N").Substring(0, 8);
            string path = PrepareDirectory(options.Path, id);
            foreach (var ruleFile in options.RuleFiles)
            {
                // Prometheus loads rules/*.yml; keep the name but make sure it matches that glob.
                var name = System.IO.Path.GetFileName(ruleFile);
                if (!name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)) name += ".yml";
                File.Copy(ruleFile, System.IO.Path.Combine(path, "rules", name), overwrite: true);
            }
            if (options.BlocksDirectory != null) CopyDirectory(options.BlocksDirectory, System.IO.Path.Combine(path, "data"));
            var record = new SandboxRecord
            {
                Id = id,
                Path = path,
                OwnerTag = options.OwnerTag,
                OwnerPid = CurrentProcessId,
                OwnerStartTicks = ProcessControl.StartTicks(CurrentProcessId) ?? 0,
            };
            var sandbox = new DuriSandbox(record, options);
            try
            {
                const int attempts = 3;
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        await sandbox.LaunchAsync(prometheusBin, nodeExporterBin, options, progress, cancellationToken).ConfigureAwait(false);
                        return sandbox;
                    }
                    catch (SandboxException e) when (attempt < attempts && e.Message.IndexOf("address already in use", StringComparison.OrdinalIgnoreCase) >= 0)
                    {
                        // Another process took a port between choosing it and binding it; choose again.
                        progress?.Invoke("A port was taken meanwhile; trying other ports.");
                        sandbox.StopProcesses();
                    }
                }
            }
            catch
            {
                sandbox.Stop(keep: false);
                throw;
            }
        }

        private async Task LaunchAsync(string prometheusBin, string nodeExporterBin, SandboxOptions options, Action<string>? progress, CancellationToken cancellationToken)
        {
            int prometheusPort = FreeLoopbackPort();
            int nodeExporterPort = FreeLoopbackPort();
            PrometheusUri = new Uri($"http://127.0.0.1:{prometheusPort}/");
            NodeExporterUri = new Uri($"http://127.0.0.1:{nodeExporterPort}/");
            File.WriteAllText(ConfigPath, BuildConfig(prometheusPort, nodeExporterPort), new UTF8Encoding(false));

            progress?.Invoke($"Starting node_exporter on {NodeExporterUri}");
            var nodeExporter = Launch(nodeExporterBin, "node_exporter", new[]
            {
                "--collector.disable-defaults",
                "--collector.textfile",
                "--collector.textfile.directory=" + TextfileDirectory,
                "--web.listen-address=127.0.0.1:" + nodeExporterPort,
            });
            _record.NodeExporterPid = nodeExporter.Id;
            _record.NodeExporterStartTicks = ProcessControl.StartTicks(nodeExporter.Id) ?? 0;
            SandboxRegistry.Save(_record);

            progress?.Invoke($"Starting Prometheus on {PrometheusUri}");
            var prometheusArguments = new List<string>
            {
                "--config.file=" + ConfigPath,
                "--storage.tsdb.path=" + DataDirectory,
                "--web.listen-address=127.0.0.1:" + prometheusPort,
                "--storage.tsdb.retention.time=2d",
            };
            if (options.EnableLifecycleApi) prometheusArguments.Add("--web.enable-lifecycle");
            var prometheus = Launch(prometheusBin, "prometheus", prometheusArguments);
            _record.PrometheusPid = prometheus.Id;
            _record.PrometheusStartTicks = ProcessControl.StartTicks(prometheus.Id) ?? 0;
            SandboxRegistry.Save(_record);

            Prometheus?.Dispose();
            Prometheus = PrometheusConnection.Create(new PrometheusConnectionSettings(PrometheusUri) { Timeout = TimeSpan.FromSeconds(5) });
            await WaitUntilScrapedAsync(options.StartTimeout, progress, cancellationToken).ConfigureAwait(false);
            Prometheus.Dispose();
            Prometheus = await PrometheusConnection.ConnectAsync(new PrometheusConnectionSettings(PrometheusUri), cancellationToken).ConfigureAwait(false);
            StartedAt = DateTimeOffset.UtcNow;
        }

        private async Task WaitUntilScrapedAsync(TimeSpan timeout, Action<string>? progress, CancellationToken cancellationToken)
        {
            var stopwatch = Stopwatch.StartNew();
            string waitingFor = "Prometheus to become ready";
            bool ready = false;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ThrowIfExited();
                try
                {
                    if (!ready)
                    {
                        ready = await Prometheus.Client.IsReadyAsync(cancellationToken).ConfigureAwait(false);
                        if (ready)
                        {
                            waitingFor = "the first scrape of node_exporter and of Prometheus itself";
                            progress?.Invoke("Prometheus is ready; waiting for " + waitingFor);
                        }
                    }
                    if (ready)
                    {
                        var targets = await Prometheus.Client.GetTargetsAsync(cancellationToken).ConfigureAwait(false);
                        // Both jobs scraped once, so that the first query sees every target's health.
                        if (targets.Any(t => t.ScrapePool == NodeExporterJob) && targets.All(t => t.Health == TargetHealth.Up)) return;
                    }
                }
                catch (PrometheusException e) when (e.Kind == PrometheusErrorKind.Unreachable)
                {
                    // Not listening yet.
                }
                if (stopwatch.Elapsed > timeout)
                {
                    throw new SandboxException(SandboxFailure.StartFailed,
                        $"The sandbox did not get ready within {timeout.TotalSeconds:0} s: still waiting for {waitingFor}. Logs: {LogDirectory}. {LogTail("prometheus")}")
                    { Target = Path };
                }
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }

        private void ThrowIfExited()
        {
            foreach (var process in _processes)
            {
                if (!process.HasExited) continue;
                process.WaitForExit();
                string name = process == _processes[0] ? "node_exporter" : "prometheus";
                FlushLogs();
                throw new SandboxException(SandboxFailure.StartFailed,
                    $"{name} exited with code {process.ExitCode} while the sandbox was starting. {LogTail(name)}")
                { Target = Path };
            }
        }

        private Process Launch(string binary, string logName, IEnumerable<string> arguments)
        {
            var info = new ProcessStartInfo(binary, string.Join(" ", arguments.Select(Quote)))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = false,
                CreateNoWindow = true,
                WorkingDirectory = Path,
            };
            var log = new StreamWriter(new FileStream(System.IO.Path.Combine(LogDirectory, logName + ".log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            _logs.Add(log);
            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            DataReceivedEventHandler append = (_, e) =>
            {
                if (e.Data == null) return;
                lock (log)
                {
                    try { log.WriteLine(e.Data); }
                    catch (ObjectDisposedException) { }
                }
            };
            process.OutputDataReceived += append;
            process.ErrorDataReceived += append;
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new SandboxException(SandboxFailure.StartFailed, $"Could not start {binary}: {e.Message}", e) { Target = binary };
            }
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _processes.Add(process);
            return process;
        }

        private string LogTail(string logName)
        {
            var file = System.IO.Path.Combine(LogDirectory, logName + ".log");
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                var lines = reader.ReadToEnd().Split('\n').Where(l => l.Trim().Length > 0).ToList();
                return lines.Count == 0 ? "It wrote nothing." : "Its last lines: " + string.Join(" | ", lines.Skip(Math.Max(0, lines.Count - 5)));
            }
            catch (IOException)
            {
                return string.Empty;
            }
        }

        private string BuildConfig(int prometheusPort, int nodeExporterPort)
        {
            var scrapeTimeout = ScrapeInterval < TimeSpan.FromSeconds(10) ? ScrapeInterval : TimeSpan.FromSeconds(10);
            var sb = new StringBuilder();
            sb.Append("# Written by Start-DuriSandbox.\n");
            sb.Append("global:\n");
            sb.Append("  scrape_interval: ").Append(PrometheusDuration.Format(ScrapeInterval)).Append('\n');
            sb.Append("  scrape_timeout: ").Append(PrometheusDuration.Format(scrapeTimeout)).Append('\n');
            sb.Append("  evaluation_interval: ").Append(PrometheusDuration.Format(EvaluationInterval)).Append('\n');
            sb.Append("rule_files:\n");
            sb.Append("  - rules/*.yml\n");
            sb.Append("scrape_configs:\n");
            sb.Append("  - job_name: ").Append(PrometheusJob).Append('\n');
            sb.Append("    static_configs:\n");
            sb.Append("      - targets: ['127.0.0.1:").Append(prometheusPort.ToString(CultureInfo.InvariantCulture)).Append("']\n");
            sb.Append("  - job_name: ").Append(NodeExporterJob).Append('\n');
            sb.Append("    static_configs:\n");
            sb.Append("      - targets: ['127.0.0.1:").Append(nodeExporterPort.ToString(CultureInfo.InvariantCulture)).Append("']\n");
            return sb.ToString();
        }

        /// <summary>Stops both processes (Prometheus gets SIGTERM first) and removes the directory unless <paramref name="keep"/>.</summary>
        public void Stop(bool keep = false)
        {
            StopProcesses();
            Prometheus?.Dispose();
            SandboxRegistry.Remove(Id);
            if (!keep) DeleteDirectory(Path);
            State = SandboxState.Stopped;
        }

        private void StopProcesses()
        {
            StopRecordedProcesses(_record);
            foreach (var process in _processes) process.Dispose();
            _processes.Clear();
            FlushLogs();
            foreach (var log in _logs)
            {
                lock (log) log.Dispose();
            }
            _logs.Clear();
        }

        private void FlushLogs()
        {
            foreach (var process in _processes)
            {
                // Waiting for exit drains the redirected output into the log.
                if (process.HasExited) process.WaitForExit();
            }
        }

        public void Dispose() => Stop(keep: false);

        /// <summary>Stops and removes sandboxes whose owning process has ended. Returns their ids.</summary>
        public static IReadOnlyList<string> CleanupStale()
        {
            var cleaned = new List<string>();
            foreach (var record in SandboxRegistry.ReadAll())
            {
                if (record.OwnerAlive) continue;
                StopRecordedProcesses(record);
                DeleteDirectory(record.Path);
                SandboxRegistry.Remove(record.Id);
                cleaned.Add(record.Id);
            }
            return cleaned;
        }

        /// <summary>Stops the sandboxes this process started for <paramref name="ownerTag"/> (all of them when null).</summary>
        public static IReadOnlyList<string> StopOwnedBy(string? ownerTag)
        {
            var stopped = new List<string>();
            int self = CurrentProcessId;
            foreach (var record in SandboxRegistry.ReadAll())
            {
                if (record.OwnerPid != self || (ownerTag != null && record.OwnerTag != ownerTag)) continue;
                StopRecordedProcesses(record);
                DeleteDirectory(record.Path);
                SandboxRegistry.Remove(record.Id);
                stopped.Add(record.Id);
            }
            return stopped;
        }

        private static void StopRecordedProcesses(SandboxRecord record)
        {
            if (record.PrometheusPid != 0) ProcessControl.Stop(record.PrometheusPid, record.PrometheusStartTicks, TimeSpan.FromSeconds(10));
            if (record.NodeExporterPid != 0) ProcessControl.Stop(record.NodeExporterPid, record.NodeExporterStartTicks, TimeSpan.FromSeconds(5));
        }

        private static string PrepareDirectory(string? requested, string id)
        {
            string path = string.IsNullOrEmpty(requested)
                ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "duri-ops", "sandbox-" + id)
                : System.IO.Path.GetFullPath(requested);
            if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
            {
                throw new SandboxException(SandboxFailure.PathInUse,
                    $"'{path}' exists and is not empty. A sandbox owns its directory and removes it when stopped; give a new or empty directory.")
                { Target = path };
            }
            foreach (var sub in new[] { "rules", "textfile", "data", "logs" }) Directory.CreateDirectory(System.IO.Path.Combine(path, sub));
            return path;
        }

        private static void CopyDirectory(string source, string target)
        {
            Directory.CreateDirectory(target);
            foreach (var file in Directory.GetFiles(source)) File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)), overwrite: true);
            foreach (var directory in Directory.GetDirectories(source)) CopyDirectory(directory, System.IO.Path.Combine(target, System.IO.Path.GetFileName(directory)));
        }

        private static void DeleteDirectory(string path)
        {
            if (string.IsNullOrEmpty(path)) return;
            for (int attempt = 0; attempt < 5; attempt++)
            {
                try
                {
                    if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                    return;
                }
                catch (IOException) when (attempt < 4)
                {
                    Thread.Sleep(200);
                }
                catch (UnauthorizedAccessException) when (attempt < 4)
                {
                    Thread.Sleep(200);
                }
            }
        }

        private static int FreeLoopbackPort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
            finally { listener.Stop(); }
        }

        private static string Quote(string argument) =>
            argument.IndexOfAny(new[] { ' ', '"', '\t' }) < 0 ? argument : "\"" + argument.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        private static int CurrentProcessId
        {
            get
            {
                using var self = Process.GetCurrentProcess();
                return self.Id;
            }
        }

        private static SandboxException Missing(ExternalTool tool) =>
            new SandboxException(SandboxFailure.BinaryMissing, tool.InstallHint) { Target = tool.Name };

        public override string ToString() => $"sandbox {Id} ({PrometheusUri})";
    }
}
