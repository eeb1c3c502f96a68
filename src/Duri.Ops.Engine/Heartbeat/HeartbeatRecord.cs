using System;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Heartbeat
{
    /// <summary>One beat written to a textfile-collector file.</summary>
    public sealed class HeartbeatRecord
    {
        public HeartbeatRecord(string path, DateTimeOffset timestamp, long sequence, string realm, LabelSet labels, int bytes)
        {
            Path = path;
            Timestamp = timestamp;
            Sequence = sequence;
            Realm = realm;
            Labels = labels;
            Bytes = bytes;
        }

        /// <summary>The .prom file written.</summary>
        public string Path { get; }

        /// <summary>The writer's clock at the beat, as exported in duri_heartbeat_timestamp_seconds (millisecond precision).</summary>
        public DateTimeOffset Timestamp { get; }

        /// <summary>The value of duri_heartbeat_sequence_total after the beat.</summary>
        public long Sequence { get; }

        /// <summary>The metric_realm label.</summary>
        public string Realm { get; }

        /// <summary>The extra labels, without metric_realm.</summary>
        public LabelSet Labels { get; }

        /// <summary>The size of the file written.</summary>
        public int Bytes { get; }

        public override string ToString() => $"{Path} #{Sequence} at {Timestamp:O}";
    }
}
