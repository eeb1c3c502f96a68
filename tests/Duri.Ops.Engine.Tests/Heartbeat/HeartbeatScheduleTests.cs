using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Heartbeat;
using Xunit;

namespace Duri.Ops.Engine.Tests.Heartbeat
{
    /// <summary>A clock that only moves when told: each wait oversleeps by a few milliseconds, as real timers do.</summary>
    internal sealed class FakeClock : IHeartbeatClock
    {
        private readonly Random _jitter = new Random(7);

        public FakeClock(DateTimeOffset now)
        {
            UtcNow = now;
        }

        public DateTimeOffset UtcNow { get; set; }

        public TimeSpan MaxOversleep { get; set; } = TimeSpan.FromMilliseconds(15);

        public Task Delay(TimeSpan delay, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            UtcNow += delay + TimeSpan.FromMilliseconds(_jitter.Next(0, (int)MaxOversleep.TotalMilliseconds + 1));
            return Task.CompletedTask;
        }

        public void Advance(TimeSpan by) => UtcNow += by;
    }

    public class HeartbeatScheduleTests
    {
        private static readonly DateTimeOffset Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        [Fact]
        public void DueTimesAreComputedFromTheStart()
        {
            var schedule = new HeartbeatSchedule(Start, TimeSpan.FromMilliseconds(333));
            Assert.Equal(Start, schedule.DueAt(0));
            Assert.Equal(Start + TimeSpan.FromMilliseconds(333_000), schedule.DueAt(1000));
        }

        [Fact]
        public async Task OversleepsAndSlowBeatsDoNotAccumulateOverAThousandBeats()
        {
            var clock = new FakeClock(Start);
            var interval = TimeSpan.FromSeconds(1);
            var schedule = new HeartbeatSchedule(clock.UtcNow, interval);
            var beats = new List<DateTimeOffset>();
            await schedule.RunAsync(clock, 1000, index =>
            {
                beats.Add(clock.UtcNow);
                clock.Advance(TimeSpan.FromMilliseconds(4));
            }, CancellationToken.None);

            Assert.Equal(1000, beats.Count);
            var lateness = beats.Select((at, k) => at - schedule.DueAt(k)).ToList();
            Assert.All(lateness, late => Assert.InRange(late, TimeSpan.Zero, clock.MaxOversleep));
            // Sleeping one interval after each beat would end about 1000 x (4 ms + 7.5 ms) late.
            Assert.InRange(beats[999] - Start, TimeSpan.FromSeconds(999), TimeSpan.FromSeconds(999) + clock.MaxOversleep);
        }

        [Fact]
        public async Task AnOverdueBeatRunsAtOnceAndTheNextKeepsItsDueTime()
        {
            var clock = new FakeClock(Start) { MaxOversleep = TimeSpan.Zero };
            var schedule = new HeartbeatSchedule(Start, TimeSpan.FromSeconds(10));
            var beats = new List<DateTimeOffset>();
            await schedule.RunAsync(clock, 3, index =>
            {
                beats.Add(clock.UtcNow);
                if (index == 0) clock.Advance(TimeSpan.FromSeconds(15));
            }, CancellationToken.None);
            Assert.Equal(new[] { Start, Start.AddSeconds(15), Start.AddSeconds(20) }, beats);
        }

        [Fact]
        public async Task CancellationStopsBetweenBeats()
        {
            using var cts = new CancellationTokenSource();
            var clock = new FakeClock(Start);
            int beats = 0;
            var run = new HeartbeatSchedule(Start, TimeSpan.FromSeconds(1)).RunAsync(clock, null, _ =>
            {
                if (++beats == 5) cts.Cancel();
            }, cts.Token);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.Equal(5, beats);
        }
    }
}
