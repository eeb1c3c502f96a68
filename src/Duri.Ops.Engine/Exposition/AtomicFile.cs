using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace Duri.Ops.Engine.Exposition
{
    /// <summary>
    /// Replaces a file's content all at once: the new content goes to a temporary file in the same directory
    /// (so the rename cannot cross file systems), is flushed to disk, and is then renamed over the target.
    /// Readers see the old file or the new one, never a half-written one. When anything fails the target is left
    /// as it was and the temporary file is removed.
    /// </summary>
    public static class AtomicFile
    {
        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false);

        /// <summary>How often a rename is retried on Windows while a reader holds the target open.</summary>
        internal const int WindowsRenameAttempts = 50;

        /// <summary>
        /// Temporary files start with a dot and end in .tmp, so that globs like *.yml and *.prom (node_exporter's
        /// textfile collector reads only *.prom) skip them.
        /// </summary>
        public static string TemporaryPathFor(string path) =>
            Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");

        public static void WriteAllText(string path, string content)
        {
            var bytes = Utf8.GetBytes(content);
            WriteAllBytes(path, bytes, bytes.Length);
        }

        /// <summary>
        /// Replaces <paramref name="path"/> with the first <paramref name="count"/> bytes of <paramref name="buffer"/>.
        /// <paramref name="beforeRename"/> runs after the temporary file is on disk and before the rename; tests use it to simulate a crash.
        /// </summary>
        public static void WriteAllBytes(string path, byte[] buffer, int count, Action<string>? beforeRename = null)
        {
            if (buffer == null) throw new ArgumentNullException(nameof(buffer));
            var temporary = TemporaryPathFor(path);
            try
            {
                // One write of the whole content: a FileStream buffer would only be an extra copy and allocation.
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.None))
                {
                    stream.Write(buffer, 0, count);
                    stream.Flush(flushToDisk: true);
                }
                beforeRename?.Invoke(temporary);
                Rename(temporary, path);
            }
            finally
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
        }

        private static void Rename(string temporary, string path)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                // rename(2) replaces the target atomically on POSIX; File.Replace maps to it there.
                if (File.Exists(path)) File.Replace(temporary, path, null);
                else File.Move(temporary, path);
                return;
            }
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    if (File.Exists(path)) File.Replace(temporary, path, null, ignoreMetadataErrors: true);
                    else File.Move(temporary, path);
                    return;
                }
                catch (Exception e) when ((e is IOException || e is UnauthorizedAccessException) && attempt < WindowsRenameAttempts && File.Exists(temporary))
                {
                    // A reader (node_exporter, an antivirus scanner) holding the target blocks the replace briefly.
                    Thread.Sleep(10);
                }
            }
        }
    }
}
