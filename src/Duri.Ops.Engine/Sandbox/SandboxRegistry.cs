using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Duri.Ops.Engine.Sandbox
{
    /// <summary>
    /// One small file per running sandbox, in the temp directory, naming its owner process and its children.
    /// It lets the next Start-DuriSandbox find the sandboxes of sessions that died and clean them up.
    /// </summary>
    internal sealed class SandboxRecord
    {
        public string Id = string.Empty;
        public string Path = string.Empty;
        public string OwnerTag = string.Empty;
        public int OwnerPid;
        public long OwnerStartTicks;
        public int PrometheusPid;
        public long PrometheusStartTicks;
        public int NodeExporterPid;
        public long NodeExporterStartTicks;

        public bool OwnerAlive => ProcessControl.IsSameProcessAlive(OwnerPid, OwnerStartTicks);
    }

    internal static class SandboxRegistry
    {
        public static string Directory
        {
            get
            {
                var overrideDir = Environment.GetEnvironmentVariable("DURI_SANDBOX_REGISTRY");
                return string.IsNullOrEmpty(overrideDir)
                    ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "duri-ops", "sandboxes")
                    : overrideDir!;
            }
        }

        private static string FileFor(string id) => System.IO.Path.Combine(Directory, id + ".sandbox");

        public static void Save(SandboxRecord record)
        {
            System.IO.Directory.CreateDirectory(Directory);
            var sb = new StringBuilder();
            void Line(string key, object value) => sb.Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
            Line("id", record.Id);
            Line("path", record.Path);
            Line("ownerTag", record.OwnerTag);
            Line("ownerPid", record.OwnerPid);
            Line("ownerStartTicks", record.OwnerStartTicks);
            Line("prometheusPid", record.PrometheusPid);
            Line("prometheusStartTicks", record.PrometheusStartTicks);
            Line("nodeExporterPid", record.NodeExporterPid);
            Line("nodeExporterStartTicks", record.NodeExporterStartTicks);
            var file = FileFor(record.Id);
            File.WriteAllText(file + ".tmp", sb.ToString());
            if (File.Exists(file)) File.Delete(file);
            File.Move(file + ".tmp", file);
        }

        public static void Remove(string id)
        {
            try { File.Delete(FileFor(id)); }
            catch (IOException) { }
        }

        public static IReadOnlyList<SandboxRecord> ReadAll()
        {
            if (!System.IO.Directory.Exists(Directory)) return Array.Empty<SandboxRecord>();
            var records = new List<SandboxRecord>();
            foreach (var file in System.IO.Directory.GetFiles(Directory, "*.sandbox"))
            {
                try
                {
                    var values = File.ReadAllLines(file)
                        .Select(l => l.Split(new[] { '=' }, 2))
                        .Where(p => p.Length == 2)
                        .ToDictionary(p => p[0], p => p[1]);
                    long Long(string key) => values.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
                    records.Add(new SandboxRecord
                    {
                        Id = values.TryGetValue("id", out var id) ? id : System.IO.Path.GetFileNameWithoutExtension(file),
                        Path = values.TryGetValue("path", out var path) ? path : string.Empty,
                        OwnerTag = values.TryGetValue("ownerTag", out var tag) ? tag : string.Empty,
                        OwnerPid = (int)Long("ownerPid"),
                        OwnerStartTicks = Long("ownerStartTicks"),
                        PrometheusPid = (int)Long("prometheusPid"),
                        PrometheusStartTicks = Long("prometheusStartTicks"),
                        NodeExporterPid = (int)Long("nodeExporterPid"),
                        NodeExporterStartTicks = Long("nodeExporterStartTicks"),
                    });
                }
                catch (IOException)
                {
                    // Another process is rewriting it; it is alive by definition.
                }
            }
            return records;
        }
    }
}
