using System;
using System.IO;
using System.Text;

namespace Duri.Ops.Engine.Exposition
{
    /// <summary>
    /// Replaces a file's content all at once: the new content goes to a temporary file in the same directory
    /// (so the rename cannot cross file systems), is flushed to disk, and is then renamed over the target.
    /// Readers see the old file or the new one, never a half-written one.
    /// </summary>
    public static class AtomicFile
    {
        /// <summary>Temporary files start with a dot so that globs like *.yml and *.prom skip them.</summary>
        public static string TemporaryPathFor(string path) =>
            Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");

        public static void WriteAllText(string path, string content)
        {
            var temporary = TemporaryPathFor(path);
            try
            {
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    var bytes = new UTF8Encoding(false).GetBytes(content);
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true);
                }
                if (File.Exists(path)) File.Replace(temporary, path, null);
                else File.Move(temporary, path);
            }
            finally
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
        }
    }
}
