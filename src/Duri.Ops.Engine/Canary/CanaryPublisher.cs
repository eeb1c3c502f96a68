using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Duri.Ops.Engine.Exposition;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Canary
{
    /// <summary>The textfile could not be written; carries the counts the run had when it stopped.</summary>
    public sealed class CanaryPublishException : Exception
    {
        public CanaryPublishException(string path, string message, Exception inner, CanaryResult? partial = null)
            : base(message, inner)
        {
            Path = path;
            Partial = partial;
        }

        public string Path { get; }

        /// <summary>The counts when sampling stopped; null when the first publish, before any sample, failed.</summary>
        public CanaryResult? Partial { get; }

        internal CanaryPublishException With(CanaryResult partial) => new CanaryPublishException(Path, Message, InnerException!, partial);
    }

    /// <summary>
    /// Publishes a canary run's counts for node_exporter's textfile collector, replacing duri_canary_&lt;realm&gt;.prom
    /// atomically (see <see cref="AtomicFile"/>) so that a scrape never sees half a file. Each realm has its own file, so
    /// runs for different realms do not overwrite each other.
    /// </summary>
    public sealed class CanaryPublisher
    {
        public const string UniqueRatioMetric = "duri_canary_unique_ratio";
        public const string SamplesMetric = "duri_canary_samples_total";
        public const string FailuresMetric = "duri_canary_failures_total";
        public const string UpdatedMetric = "duri_canary_updated_timestamp_seconds";

        /// <exception cref="ArgumentException">A realm that cannot be a label value.</exception>
        /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
        public CanaryPublisher(string directory, string realm)
        {
            if (directory == null) throw new ArgumentNullException(nameof(directory));
            string? problem = HeartbeatWriter.DescribeInvalidRealm(realm);
            if (problem != null) throw new ArgumentException(problem, nameof(realm));
            Directory = System.IO.Path.GetFullPath(directory);
            if (!System.IO.Directory.Exists(Directory)) throw new DirectoryNotFoundException($"The textfile directory '{Directory}' does not exist.");
            Realm = realm;
            Path = System.IO.Path.Combine(Directory, FileNameFor(realm));
        }

        public string Directory { get; }

        public string Path { get; }

        public string Realm { get; }

        /// <summary>duri_canary_&lt;realm&gt;.prom, with characters other than letters, digits, '_', '-' and '.' replaced by '_'.</summary>
        public static string FileNameFor(string realm)
        {
            var name = new StringBuilder("duri_canary_", 16 + realm.Length);
            foreach (char c in realm)
            {
                bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
                name.Append(plain ? c : '_');
            }
            return name.Append(HeartbeatWriter.FileExtension).ToString();
        }

        /// <summary>The exposition text for a result: ratio, samples, failures and the publish time, labelled with the realm.</summary>
        public string Format(CanaryResult result, DateTimeOffset publishedAt)
        {
            var labels = new[] { new KeyValuePair<string, string>(HeartbeatWriter.RealmLabel, Realm) };
            var text = new StringBuilder(768);
            new ExpositionWriter(text)
                .Family(UniqueRatioMetric, MetricType.Gauge, "Distinct response fingerprints per successful canary sample in the current or last run; NaN before the first sample.")
                .Sample(UniqueRatioMetric, labels, result.UniqueRatio)
                .Family(SamplesMetric, MetricType.Counter, "Successful canary samples in the current or last run.")
                .Sample(SamplesMetric, labels, result.Samples)
                .Family(FailuresMetric, MetricType.Counter, "Canary samples that failed (timeout, HTTP status 400 or above, transport or script error) in the current or last run.")
                .Sample(FailuresMetric, labels, result.Failures)
                .Family(UpdatedMetric, MetricType.Gauge, "Unix time the canary counts were last published.")
                .SampleUnixSeconds(UpdatedMetric, labels, publishedAt);
            return text.ToString();
        }

        /// <exception cref="CanaryPublishException">The file could not be written (no permission, disk full, read-only); the previous file is intact.</exception>
        public void Publish(CanaryResult result)
        {
            if (result == null) throw new ArgumentNullException(nameof(result));
            try
            {
                AtomicFile.WriteAllText(Path, Format(result, DateTimeOffset.UtcNow));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new CanaryPublishException(Path, $"Could not write '{Path}': {e.Message}", e);
            }
        }
    }
}
