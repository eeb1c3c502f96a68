using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Exposition;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Heartbeat
{
    /// <summary>Another .prom file in the textfile directory that exports heartbeat metric names too.</summary>
    public sealed class StrayHeartbeatFile
    {
        public StrayHeartbeatFile(string path, IReadOnlyList<string> metricNames)
        {
            Path = path;
            MetricNames = metricNames;
        }

        public string Path { get; }

        public IReadOnlyList<string> MetricNames { get; }
    }

    /// <summary>
    /// Writes the heartbeat file for node_exporter's textfile collector. Holds an exclusive lock file for its
    /// lifetime so that a second writer on the same file fails instead of interleaving; every beat replaces the
    /// file atomically (see <see cref="AtomicFile"/>). The sequence continues from the value already in the file.
    /// </summary>
    public sealed class HeartbeatWriter : IDisposable
    {
        public const string DefaultName = "duri_heartbeat";
        public const string DefaultRealm = "prod";
        public const string RealmLabel = "metric_realm";
        public const string TimestampMetric = Rules.CanonicalRules.TimestampMetric;
        public const string SequenceMetric = "duri_heartbeat_sequence_total";
        public const string FileExtension = ".prom";

        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false);

        private readonly IHeartbeatClock _clock;
        private readonly KeyValuePair<string, string>[] _seriesLabels;
        private readonly StringBuilder _text = new StringBuilder(512);
        private readonly ExpositionWriter _writer;
        private FileStream? _lock;
        private char[] _chars = new char[512];
        private byte[] _bytes = new byte[1024];

        /// <exception cref="ArgumentException">An invalid name, realm or label.</exception>
        /// <exception cref="HeartbeatException">The directory is missing, or another writer holds the file.</exception>
        public HeartbeatWriter(string directory, string name = DefaultName, string realm = DefaultRealm, IEnumerable<KeyValuePair<string, string>>? labels = null, IHeartbeatClock? clock = null)
        {
            if (directory == null) throw new ArgumentNullException(nameof(directory));
            string? problem = DescribeInvalidName(name) ?? DescribeInvalidRealm(realm);
            if (problem != null) throw new ArgumentException(problem);
            var extra = (labels ?? Enumerable.Empty<KeyValuePair<string, string>>()).ToList();
            problem = DescribeInvalidLabels(extra);
            if (problem != null) throw new ArgumentException(problem, nameof(labels));

            _clock = clock ?? SystemHeartbeatClock.Instance;
            _writer = new ExpositionWriter(_text);
            Realm = realm;
            Labels = LabelSet.Create(extra.Select(l => new KeyValuePair<string, string>(l.Key, l.Value ?? string.Empty)));
            _seriesLabels = LabelSet.Create(Labels.Append(new KeyValuePair<string, string>(RealmLabel, realm))).ToArray();

            Directory = System.IO.Path.GetFullPath(directory);
            Path = System.IO.Path.Combine(Directory, FileNameFor(name));
            LockPath = System.IO.Path.Combine(Directory, "." + FileNameFor(name) + ".lock");
            if (!System.IO.Directory.Exists(Directory))
                throw new HeartbeatException(HeartbeatErrorKind.DirectoryNotFound, Directory, $"The textfile directory '{Directory}' does not exist.");
            _lock = AcquireLock(LockPath, Path);
            try
            {
                Sequence = ReadSequence();
                InitialSequence = Sequence;
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public string Directory { get; }

        /// <summary>The .prom file the beats replace.</summary>
        public string Path { get; }

        /// <summary>The lock file held for the writer's lifetime (hidden from the collector by its leading dot and suffix).</summary>
        public string LockPath { get; }

        public string Realm { get; }

        /// <summary>The extra labels, without metric_realm.</summary>
        public LabelSet Labels { get; }

        /// <summary>The sequence found in the existing file for the same series (0 when there was none).</summary>
        public long InitialSequence { get; }

        /// <summary>The sequence of the last beat written.</summary>
        public long Sequence { get; private set; }

        /// <summary>Runs before each rename, with the temporary file on disk; tests use it to simulate a crash.</summary>
        internal Action<string>? BeforeRename { get; set; }

        /// <summary>The file name for a heartbeat name: <c>&lt;name&gt;.prom</c>.</summary>
        public static string FileNameFor(string name) =>
            name.EndsWith(FileExtension, StringComparison.OrdinalIgnoreCase) ? name : name + FileExtension;

        /// <summary>Why <paramref name="name"/> cannot name a heartbeat file, or null when it can.</summary>
        public static string? DescribeInvalidName(string? name)
        {
            if (string.IsNullOrEmpty(name)) return "The heartbeat name cannot be empty.";
            if (name![0] == '.') return $"The heartbeat name '{name}' starts with a dot; node_exporter would still read it, but it would look like a temporary file.";
            foreach (char c in name)
            {
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
                if (!ok) return $"The heartbeat name '{name}' may contain only letters, digits, '_', '-' and '.'; it names a file in the textfile directory.";
            }
            return null;
        }

        /// <summary>Why <paramref name="realm"/> cannot be a metric_realm value, or null when it can.</summary>
        public static string? DescribeInvalidRealm(string? realm)
        {
            if (string.IsNullOrWhiteSpace(realm)) return "The realm cannot be empty.";
            if (realm!.IndexOfAny(new[] { '"', '\'', '\r', '\n', '\\' }) >= 0)
                return $"The realm '{realm.Replace("\r", "\\r").Replace("\n", "\\n")}' contains a quote, backslash or line break; a realm is a plain word such as prod or staging.";
            return null;
        }

        /// <summary>Why the extra labels cannot be exported, or null when they can.</summary>
        public static string? DescribeInvalidLabels(IEnumerable<KeyValuePair<string, string>> labels)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var label in labels)
            {
                string? problem = ExpositionWriter.DescribeInvalidLabelName(label.Key);
                if (problem != null) return "Invalid label: " + problem;
                if (label.Key == RealmLabel) return $"The label '{RealmLabel}' is set by -Realm, not as an extra label.";
                if (!seen.Add(label.Key)) return $"The label '{label.Key}' appears twice.";
            }
            return null;
        }

        /// <summary>Writes one beat: the next sequence and the clock's time, replacing the file atomically.</summary>
        /// <exception cref="IOException">The file could not be written (disk full, read-only file system); the previous file is intact.</exception>
        /// <exception cref="UnauthorizedAccessException">No permission to write in the directory; the previous file is intact.</exception>
        public HeartbeatRecord Beat()
        {
            if (_lock == null) throw new ObjectDisposedException(nameof(HeartbeatWriter));
            var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(_clock.UtcNow.ToUnixTimeMilliseconds());
            long next = Sequence + 1;
            _text.Clear();
            _writer.Family(TimestampMetric, MetricType.Gauge, "Unix time of the last heartbeat, by the writer's clock.")
                .SampleUnixSeconds(TimestampMetric, _seriesLabels, timestamp)
                .Family(SequenceMetric, MetricType.Counter, "Heartbeats written; continues across writer restarts.")
                .Sample(SequenceMetric, _seriesLabels, next);
            int count = Encode();
            AtomicFile.WriteAllBytes(Path, _bytes, count, BeforeRename);
            Sequence = next;
            return new HeartbeatRecord(Path, timestamp, next, Realm, Labels, count);
        }

        /// <summary>
        /// Beats <paramref name="count"/> times (until cancelled when null), beat k at start + k x interval.
        /// Cancellation stops between beats, so the file is always complete.
        /// </summary>
        public Task RunAsync(long? count, TimeSpan interval, Action<HeartbeatRecord>? onBeat, CancellationToken cancellationToken)
        {
            if (count.HasValue && count.Value < 1) throw new ArgumentOutOfRangeException(nameof(count), "At least one beat.");
            var schedule = new HeartbeatSchedule(_clock.UtcNow, interval);
            return schedule.RunAsync(_clock, count, _ =>
            {
                var record = Beat();
                onBeat?.Invoke(record);
            }, cancellationToken);
        }

        /// <summary>Other .prom files in the directory that export the heartbeat's metric names (stray series).</summary>
        public IReadOnlyList<StrayHeartbeatFile> FindStrayFiles()
        {
            var strays = new List<StrayHeartbeatFile>();
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*" + FileExtension).OrderBy(f => f, StringComparer.Ordinal))
            {
                if (string.Equals(file, Path, StringComparison.Ordinal)) continue;
                string text;
                try
                {
                    text = File.ReadAllText(file);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    continue;
                }
                var names = new[] { TimestampMetric, SequenceMetric }.Where(name => Exports(text, name)).ToList();
                if (names.Count > 0) strays.Add(new StrayHeartbeatFile(file, names));
            }
            return strays;
        }

        private static bool Exports(string text, string metric)
        {
            try
            {
                return ExpositionReader.Read(text).Any(f => f.Name == metric && f.Samples.Count > 0);
            }
            catch (FormatException)
            {
                // node_exporter rejects the whole file then, but its author still meant to export the name.
                return text.IndexOf(metric, StringComparison.Ordinal) >= 0;
            }
        }

        private long ReadSequence()
        {
            if (!File.Exists(Path)) return 0;
            IReadOnlyList<MetricFamily> families;
            try
            {
                families = ExpositionReader.Read(File.ReadAllText(Path));
            }
            catch (FormatException)
            {
                return 0;
            }
            var series = LabelSet.Create(_seriesLabels);
            foreach (var family in families)
            {
                if (family.Name != SequenceMetric) continue;
                foreach (var sample in family.Samples)
                {
                    if (sample.Name == SequenceMetric && sample.Labels.WithoutMetricName().Equals(series)
                        && sample.Value >= 0 && sample.Value < long.MaxValue && !double.IsNaN(sample.Value))
                        return (long)sample.Value;
                }
            }
            return 0;
        }

        private int Encode()
        {
            int length = _text.Length;
            if (_chars.Length < length) _chars = new char[length * 2];
            _text.CopyTo(0, _chars, 0, length);
            int max = Utf8.GetMaxByteCount(length);
            if (_bytes.Length < max) _bytes = new byte[max];
            return Utf8.GetBytes(_chars, 0, length, _bytes, 0);
        }

        private static FileStream AcquireLock(string lockPath, string path)
        {
            if (File.Exists(lockPath))
            {
                try
                {
                    return OpenLock(lockPath);
                }
                catch (IOException e) when (!(e is FileNotFoundException) && !(e is DirectoryNotFoundException))
                {
                    throw Locked(path, e);
                }
            }
            try
            {
                return OpenLock(lockPath);
            }
            catch (IOException e) when (File.Exists(lockPath) && !(e is DirectoryNotFoundException))
            {
                throw Locked(path, e);
            }
        }

        private static FileStream OpenLock(string lockPath) =>
            new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);

        private static HeartbeatException Locked(string path, Exception inner) =>
            new HeartbeatException(HeartbeatErrorKind.FileLocked, path, $"Another heartbeat writer holds '{path}'. Stop it first; two writers on one file would corrupt its sequence.", inner);

        public void Dispose()
        {
            _lock?.Dispose();
            _lock = null;
        }
    }
}
