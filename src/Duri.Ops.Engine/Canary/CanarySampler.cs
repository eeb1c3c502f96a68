using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Duri.Ops.Engine.Canary
{
    public sealed class CanarySamplerOptions
    {
        /// <summary>Samples per second.</summary>
        public double Rate { get; set; } = 1;

        public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(300);

        /// <summary>The most samples waiting for an answer at once.</summary>
        public int Concurrency { get; set; } = 4;

        /// <summary>The limit for one sample; a sample that takes longer is a failure.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>How often the running counts are published.</summary>
        public TimeSpan PublishInterval { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>How often progress is reported.</summary>
        public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Describes the target in the result ("script block" or the URI).</summary>
        public string Target { get; set; } = string.Empty;

        public string Realm { get; set; } = Heartbeat.HeartbeatWriter.DefaultRealm;

        public long MinimumSamples { get; set; } = CanaryQuorum.DefaultMinimumSamples;

        public double MinimumUniqueRatio { get; set; } = CanaryQuorum.DefaultMinimumUniqueRatio;

        /// <summary>Samples the rate and duration call for: one at every multiple of 1/Rate before Duration.</summary>
        public long Planned => (long)Math.Ceiling(Duration.TotalSeconds * Rate - 1e-9);

        /// <summary>Why these options cannot run, or null when they can.</summary>
        public string? DescribeInvalid()
        {
            if (double.IsNaN(Rate) || double.IsInfinity(Rate) || Rate <= 0) return $"The rate must be a number of samples per second above zero; got {Rate}.";
            if (Duration <= TimeSpan.Zero) return $"The duration must be more than zero; got {Duration}.";
            if (Concurrency < 1) return $"The concurrency must be at least 1; got {Concurrency}.";
            if (Timeout <= TimeSpan.Zero) return $"The timeout per sample must be more than zero; got {Timeout}.";
            if (PublishInterval <= TimeSpan.Zero || ProgressInterval <= TimeSpan.Zero) return "The publish and progress intervals must be more than zero.";
            if (Duration.TotalSeconds * Rate > int.MaxValue) return $"{Rate} samples per second for {Duration} is more than {int.MaxValue} samples.";
            string? quorum = CanaryQuorum.DescribeInvalidMinimums(MinimumSamples, MinimumUniqueRatio);
            if (quorum != null) return quorum;
            return Heartbeat.HeartbeatWriter.DescribeInvalidRealm(Realm);
        }
    }

    /// <summary>
    /// Sends canary samples at a fixed rate for a duration, at most Concurrency at a time, each bounded by a timeout,
    /// and counts samples, distinct fingerprints (SHA-256 of what the probe returns) and failures. Sample k is due at
    /// start + k / rate, so the schedule does not drift; when every slot is busy the next sample waits for one, and once
    /// that wait reaches past the duration sampling ends (the result's Sent then falls short of Planned). The running counts go to the publisher
    /// every PublishInterval and once more at the end, also when the run is cancelled: cancellation stops new samples,
    /// abandons the ones in flight (they count neither way) and returns the partial result instead of throwing.
    /// </summary>
    public static class CanarySampler
    {
        /// <summary>The fingerprint of a response: lower-case hex SHA-256.</summary>
        public static string Fingerprint(byte[] content) => ContentHash.Sha256Hex(content);

        /// <summary>
        /// Runs the sampling. <paramref name="publisher"/> receives the counts (null publishes nothing);
        /// <paramref name="onProgress"/> gets the counts so far every ProgressInterval, from a background thread.
        /// </summary>
        /// <exception cref="ArgumentException">Options that cannot run (<see cref="CanarySamplerOptions.DescribeInvalid"/>).</exception>
        /// <exception cref="CanaryPublishException">The textfile could not be written; sampling stopped.</exception>
        public static async Task<CanaryResult> RunAsync(CanaryProbe probe, CanarySamplerOptions options, CanaryPublisher? publisher, Action<CanaryResult>? onProgress, CancellationToken cancellationToken)
        {
            if (probe == null) throw new ArgumentNullException(nameof(probe));
            if (options == null) throw new ArgumentNullException(nameof(options));
            string? problem = options.DescribeInvalid();
            if (problem != null) throw new ArgumentException(problem, nameof(options));

            var tally = new Tally(options, publisher?.Path ?? string.Empty);
            // Published before the first sample, so that an unwritable directory fails at once, not after the run.
            Publish(publisher, tally.Snapshot(completed: false));

            using (var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            using (var reporterStop = new CancellationTokenSource())
            using (var slots = new SemaphoreSlim(options.Concurrency))
            {
                var reporter = ReportAsync(tally, options, publisher, onProgress, run, reporterStop.Token);
                var inFlight = new List<Task>();
                long planned = options.Planned;
                try
                {
                    for (long k = 0; k < planned; k++)
                    {
                        run.Token.ThrowIfCancellationRequested();
                        await DelayUntilAsync(tally, TimeSpan.FromTicks((long)(k * (TimeSpan.TicksPerSecond / options.Rate))), run.Token).ConfigureAwait(false);
                        if (!slots.Wait(0))
                        {
                            await slots.WaitAsync(run.Token).ConfigureAwait(false);
                            // Every slot was busy until after the end: the target is too slow for the rate; stop here.
                            // (A sample that is only late by the timer's granularity is still sent.)
                            if (tally.Elapsed >= options.Duration)
                            {
                                slots.Release();
                                break;
                            }
                        }
                        tally.Started();
                        inFlight.Add(SampleAsync(probe, k + 1, options.Timeout, tally, slots, run.Token));
                        if (inFlight.Count > 4 * options.Concurrency + 64) inFlight.RemoveAll(t => t.IsCompleted);
                    }
                }
                catch (OperationCanceledException) when (run.IsCancellationRequested)
                {
                    // Stopped (or a publish failed): no new samples; the ones in flight see the same token.
                }
                await Task.WhenAll(inFlight).ConfigureAwait(false);
                try
                {
                    // The last sample is due 1/rate before the end; the run still lasts the whole duration.
                    await DelayUntilAsync(tally, options.Duration, run.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
                reporterStop.Cancel();
                var publishFailure = await reporter.ConfigureAwait(false);
                var final = tally.Snapshot(completed: !run.IsCancellationRequested);
                if (publishFailure != null) throw publishFailure.With(final);
                Publish(publisher, final);
                return final;
            }
        }

        /// <summary>Waits until the run's clock reaches <paramref name="due"/>; timers may fire a little early, so it checks again.</summary>
        private static async Task DelayUntilAsync(Tally tally, TimeSpan due, CancellationToken cancellationToken)
        {
            TimeSpan wait;
            while ((wait = due - tally.Elapsed) > TimeSpan.Zero)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), cancellationToken).ConfigureAwait(false);
            }
        }

        private static async Task SampleAsync(CanaryProbe probe, long number, TimeSpan timeout, Tally tally, SemaphoreSlim slots, CancellationToken run)
        {
            try
            {
                using (var sample = CancellationTokenSource.CreateLinkedTokenSource(run))
                {
                    sample.CancelAfter(timeout);
                    try
                    {
                        byte[] content = await probe(number, sample.Token).ConfigureAwait(false);
                        tally.Sample(Fingerprint(content ?? Array.Empty<byte>()));
                    }
                    catch (OperationCanceledException) when (run.IsCancellationRequested)
                    {
                        // Abandoned by the stop: neither a sample nor a failure.
                    }
                    catch (OperationCanceledException) when (sample.IsCancellationRequested)
                    {
                        tally.Failure("timeout", $"Sample {number} got no answer within {Prometheus.PrometheusDuration.Format(timeout)}.");
                    }
                    catch (CanarySampleFailedException e)
                    {
                        tally.Failure(e.Reason, $"Sample {number}: {e.Message}");
                    }
                    catch (Exception e)
                    {
                        tally.Failure("error", $"Sample {number}: {e.Message}");
                    }
                }
            }
            finally
            {
                slots.Release();
            }
        }

        /// <summary>Publishes and reports progress until stopped; returns the publish failure that cancelled the run, if any.</summary>
        private static async Task<CanaryPublishException?> ReportAsync(Tally tally, CanarySamplerOptions options, CanaryPublisher? publisher, Action<CanaryResult>? onProgress,
            CancellationTokenSource run, CancellationToken stop)
        {
            var tick = options.ProgressInterval < options.PublishInterval ? options.ProgressInterval : options.PublishInterval;
            var lastPublish = TimeSpan.Zero;
            while (true)
            {
                try
                {
                    await Task.Delay(tick, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
                var snapshot = tally.Snapshot(completed: false);
                if (tally.Elapsed - lastPublish >= options.PublishInterval)
                {
                    try
                    {
                        Publish(publisher, snapshot);
                    }
                    catch (CanaryPublishException e)
                    {
                        run.Cancel();
                        return e;
                    }
                    lastPublish = tally.Elapsed;
                }
                onProgress?.Invoke(snapshot);
            }
        }

        private static void Publish(CanaryPublisher? publisher, CanaryResult snapshot) => publisher?.Publish(snapshot);

        /// <summary>The counts, updated from many sample tasks at once.</summary>
        private sealed class Tally
        {
            private readonly object _gate = new object();
            private readonly CanarySamplerOptions _options;
            private readonly string _path;
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
            private readonly HashSet<string> _fingerprints = new HashSet<string>(StringComparer.Ordinal);
            private readonly Dictionary<string, long> _reasons = new Dictionary<string, long>(StringComparer.Ordinal);
            private long _samples, _failures, _sent;
            private string _lastFailure = string.Empty;

            public Tally(CanarySamplerOptions options, string path)
            {
                _options = options;
                _path = path;
            }

            public TimeSpan Elapsed => _clock.Elapsed;

            public void Started() => Interlocked.Increment(ref _sent);

            public void Sample(string fingerprint)
            {
                lock (_gate)
                {
                    _samples++;
                    _fingerprints.Add(fingerprint);
                }
            }

            public void Failure(string reason, string detail)
            {
                lock (_gate)
                {
                    _failures++;
                    _reasons[reason] = _reasons.TryGetValue(reason, out var n) ? n + 1 : 1;
                    _lastFailure = detail;
                }
            }

            public CanaryResult Snapshot(bool completed)
            {
                lock (_gate)
                {
                    return new CanaryResult
                    {
                        Target = _options.Target,
                        Realm = _options.Realm,
                        Samples = _samples,
                        Unique = _fingerprints.Count,
                        Failures = _failures,
                        FailureReasons = _reasons.OrderBy(r => r.Key, StringComparer.Ordinal).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal),
                        LastFailure = _lastFailure,
                        Planned = _options.Planned,
                        Sent = Interlocked.Read(ref _sent),
                        Rate = _options.Rate,
                        Concurrency = _options.Concurrency,
                        Timeout = _options.Timeout,
                        RequestedDuration = _options.Duration,
                        Duration = _clock.Elapsed,
                        StartedAt = _startedAt,
                        Completed = completed,
                        MinimumSamples = _options.MinimumSamples,
                        MinimumUniqueRatio = _options.MinimumUniqueRatio,
                        Path = _path,
                    };
                }
            }
        }
    }
}
