using System;

namespace Duri.Ops.Engine.Heartbeat
{
    public enum HeartbeatErrorKind
    {
        /// <summary>Another writer holds the file's lock.</summary>
        FileLocked,

        /// <summary>The textfile directory does not exist.</summary>
        DirectoryNotFound,
    }

    /// <summary>A heartbeat failure the caller can act on; file-system faults stay IOException / UnauthorizedAccessException.</summary>
    public sealed class HeartbeatException : Exception
    {
        public HeartbeatException(HeartbeatErrorKind kind, string path, string message, Exception? inner = null)
            : base(message, inner)
        {
            Kind = kind;
            Path = path;
        }

        public HeartbeatErrorKind Kind { get; }

        public string Path { get; }
    }
}
