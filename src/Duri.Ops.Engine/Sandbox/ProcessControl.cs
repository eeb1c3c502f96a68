using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;

namespace Duri.Ops.Engine.Sandbox
{
    /// <summary>Process liveness by id and start time (ids get reused), and graceful stopping.</summary>
    internal static class ProcessControl
    {
        private const int SigHup = 1;
        private const int SigTerm = 15;

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int SysKill(int pid, int signal);

        /// <summary>Start time in UTC ticks, or null when no such process runs.</summary>
        public static long? StartTicks(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (process.HasExited) return null;
                return process.StartTime.ToUniversalTime().Ticks;
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException || e is System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }

        /// <summary>True when the process with this id is the one started at <paramref name="startTicks"/>.</summary>
        public static bool IsSameProcessAlive(int pid, long startTicks)
        {
            var actual = StartTicks(pid);
            return actual.HasValue && Math.Abs(actual.Value - startTicks) < TimeSpan.TicksPerSecond * 2;
        }

        /// <summary>SIGTERM (so Prometheus closes its TSDB cleanly), then a kill after the grace period.</summary>
        public static void Stop(int pid, long startTicks, TimeSpan grace)
        {
            if (!IsSameProcessAlive(pid, startTicks)) return;
            try
            {
                using var process = Process.GetProcessById(pid);
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && SysKill(pid, SigTerm) == 0)
                {
                    if (process.WaitForExit((int)grace.TotalMilliseconds)) return;
                }
                process.Kill();
                process.WaitForExit(5000);
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException || e is System.ComponentModel.Win32Exception)
            {
                // It exited between the check and the signal.
            }
        }

        /// <summary>SIGHUP, which makes Prometheus reload its configuration.</summary>
        /// <returns>Null when sent; otherwise why not.</returns>
        public static string? SendHangup(int pid)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return "Reloading by signal needs Unix; on Windows enable the lifecycle API.";
            string name;
            try
            {
                using var process = Process.GetProcessById(pid);
                name = process.ProcessName;
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException)
            {
                return $"No process {pid} runs here.";
            }
            // A wrong pid would hang up some other program; Prometheus' process name always says so.
            if (name.IndexOf("prometheus", StringComparison.OrdinalIgnoreCase) < 0) return $"Process {pid} is '{name}', not Prometheus; no signal was sent.";
            return SysKill(pid, SigHup) == 0 ? null : $"Could not signal process {pid} (error {Marshal.GetLastWin32Error()}).";
        }

        public static void Sleep(TimeSpan delay, CancellationToken cancellationToken) =>
            cancellationToken.WaitHandle.WaitOne(delay);
    }
}
