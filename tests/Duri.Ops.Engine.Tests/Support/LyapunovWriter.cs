using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using Duri.Ops.Engine.Exposition;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Tests.Support
{
    /// <summary>
    /// Writes duri_lyapunov_v for node_exporter's textfile collector, as a function of the seconds since it started,
    /// every 250 ms through the engine's exposition writer and atomic file; removes its file when disposed.
    /// </summary>
    public sealed class LyapunovWriter : IDisposable
    {
        public const string Metric = "duri_lyapunov_v";

        private readonly string _path;
        private readonly Func<double, double> _value;
        private readonly KeyValuePair<string, string>[] _labels;
        private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
        private readonly Timer _timer;
        private readonly object _gate = new object();
        private bool _disposed;

        public LyapunovWriter(string textfileDirectory, string realm, Func<double, double> valueAtSeconds, string fileName = "", IEnumerable<KeyValuePair<string, string>>? extraLabels = null)
        {
            _path = Path.Combine(textfileDirectory, (fileName.Length > 0 ? fileName : "lyapunov-" + realm) + ".prom");
            _value = valueAtSeconds;
            var labels = new List<KeyValuePair<string, string>> { new KeyValuePair<string, string>("metric_realm", realm) };
            if (extraLabels != null) labels.AddRange(extraLabels);
            _labels = labels.ToArray();
            Realm = realm;
            Write();
            _timer = new Timer(_ => Write(), null, 250, 250);
        }

        public string Realm { get; }

        /// <summary>The selector for this writer's series.</summary>
        public string Query => $"{Metric}{{metric_realm=\"{Realm}\"}}";

        private void Write()
        {
            lock (_gate)
            {
                if (_disposed) return;
                var text = new StringBuilder();
                new ExpositionWriter(text)
                    .Family(Metric, MetricType.Gauge, "Lyapunov stability value written by the tests.")
                    .Sample(Metric, _labels, _value((DateTimeOffset.UtcNow - _started).TotalSeconds));
                AtomicFile.WriteAllText(_path, text.ToString());
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _timer.Dispose();
                if (File.Exists(_path)) File.Delete(_path);
            }
        }
    }
}
