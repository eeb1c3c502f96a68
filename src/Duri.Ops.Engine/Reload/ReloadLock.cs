using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Duri.Ops.Engine.Reload
{
    /// <summary>
    /// One safe reload per config at a time, across runspaces and processes: an exclusively opened lock file per
    /// config path under the temp directory (.NET takes an advisory flock for FileShare.None on Unix).
    /// </summary>
    internal static class ReloadLock
    {
        private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(50);

        /// <returns>The held lock, or null when it stayed taken for <paramref name="timeout"/>.</returns>
        public static async Task<IDisposable?> AcquireAsync(string configPath, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var directory = Path.Combine(Path.GetTempPath(), "duri-ops-reload-locks");
            Directory.CreateDirectory(directory);
            var file = Path.Combine(directory, ContentHash.Sha256Hex(configPath).Substring(0, 32) + ".lock");
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    return new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (IOException) when (waited.Elapsed < timeout)
                {
                    await Task.Delay(RetryInterval, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    return null;
                }
            }
        }
    }
}
