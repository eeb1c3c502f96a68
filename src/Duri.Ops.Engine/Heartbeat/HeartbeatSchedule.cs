using System;
using System.Threading;
using System.Threading.Tasks;

namespace Duri.Ops.Engine.Heartbeat
{
    /// <summary>The clock and the waits of a schedule; tests pass a fake to run many beats instantly.</summary>
    public interface IHeartbeatClock
    {
        DateTimeOffset UtcNow { get; }

        Task Delay(TimeSpan delay, CancellationToken cancellationToken);
    }

    /// <summary>The system clock and Task.Delay.</summary>
    public sealed class SystemHeartbeatClock : IHeartbeatClock
    {
        public static readonly SystemHeartbeatClock Instance = new SystemHeartbeatClock();

        public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;

        public Task Delay(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
    }

    /// <summary>
    /// Beats at fixed points: beat k is due at start + k x interval, however long earlier beats or waits took,
    /// so lateness never accumulates. A beat that is overdue runs at once; the next keeps its own due time.
    /// </summary>
    public sealed class HeartbeatSchedule
    {
        public HeartbeatSchedule(DateTimeOffset start, TimeSpan interval)
        {
            if (interval < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), "The interval cannot be negative.");
            Start = start;
            Interval = interval;
        }

        public DateTimeOffset Start { get; }

        public TimeSpan Interval { get; }

        /// <summary>When beat <paramref name="index"/> (0-based) is due; computed from the start, never from the previous beat.</summary>
        public DateTimeOffset DueAt(long index) => Start + TimeSpan.FromTicks(checked(Interval.Ticks * index));

        /// <summary>
        /// Runs <paramref name="beat"/> <paramref name="count"/> times (or until cancelled when null), each at its due
        /// time. Cancellation is only observed between beats, so a beat in progress always completes.
        /// </summary>
        public async Task RunAsync(IHeartbeatClock clock, long? count, Action<long> beat, CancellationToken cancellationToken)
        {
            if (clock == null) throw new ArgumentNullException(nameof(clock));
            if (beat == null) throw new ArgumentNullException(nameof(beat));
            for (long index = 0; count == null || index < count.Value; index++)
            {
                var wait = DueAt(index) - clock.UtcNow;
                if (wait > TimeSpan.Zero) await clock.Delay(wait, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                beat(index);
            }
        }
    }
}
