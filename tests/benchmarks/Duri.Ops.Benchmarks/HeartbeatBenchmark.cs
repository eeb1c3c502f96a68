using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using Duri.Ops.Engine.Heartbeat;

namespace Duri.Ops.Benchmarks
{
    /// <summary>
    /// One heartbeat beat (format both series, write a temporary file, flush it to disk, rename it over the target)
    /// against the least an atomic write can do: the same bytes through a FileStream with Flush(true) and a rename.
    /// Goal: at most 1.3x the baseline. Memory over 100,000 beats: see <see cref="HeartbeatMemory"/>.
    /// </summary>
    [MemoryDiagnoser]
    [SimpleJob(warmupCount: 3, iterationCount: 15)]
    public class HeartbeatBenchmark
    {
        private string _directory = string.Empty;
        private HeartbeatWriter _writer = null!;
        private byte[] _bytes = Array.Empty<byte>();
        private string _baselineTarget = string.Empty;
        private string _baselineTemporary = string.Empty;

        [GlobalSetup]
        public void Setup()
        {
            _directory = Directory.CreateTempSubdirectory("duri-heartbeat-bench-").FullName;
            _writer = new HeartbeatWriter(_directory);
            _writer.Beat();
            _bytes = File.ReadAllBytes(_writer.Path);
            _baselineTarget = Path.Combine(_directory, "baseline.prom");
            _baselineTemporary = Path.Combine(_directory, ".baseline.prom.tmp");
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _writer.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        [Benchmark(Baseline = true)]
        public void FlushAndRename()
        {
            using (var stream = new FileStream(_baselineTemporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
            {
                stream.Write(_bytes, 0, _bytes.Length);
                stream.Flush(flushToDisk: true);
            }
            File.Move(_baselineTemporary, _baselineTarget, overwrite: true);
        }

        [Benchmark]
        public long Beat() => _writer.Beat().Sequence;
    }

    /// <summary>
    /// 100,000 beats in one process: managed heap after a full collection, sampled every 10,000 beats, and the
    /// bytes allocated per beat. Run with <c>--heartbeat-memory</c>.
    /// </summary>
    public static class HeartbeatMemory
    {
        public const string Switch = "--heartbeat-memory";

        public static void Run(int beats = 100_000)
        {
            var directory = Directory.CreateTempSubdirectory("duri-heartbeat-memory-").FullName;
            try
            {
                using var writer = new HeartbeatWriter(directory);
                for (int i = 0; i < 1_000; i++) writer.Beat();
                long heapAtStart = Heap();
                long allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
                Console.WriteLine($"{"beats",8} {"heap after GC (bytes)",22} {"allocated/beat (bytes)",23}");
                long allocatedBefore = allocatedAtStart;
                for (int done = 0; done < beats; done += 10_000)
                {
                    for (int i = 0; i < 10_000; i++) writer.Beat();
                    long allocated = GC.GetAllocatedBytesForCurrentThread();
                    Console.WriteLine($"{done + 10_000,8} {Heap(),22} {(allocated - allocatedBefore) / 10_000.0,23:0.0}");
                    allocatedBefore = allocated;
                }
                long heapGrowth = Heap() - heapAtStart;
                double perBeat = (GC.GetAllocatedBytesForCurrentThread() - allocatedAtStart) / (double)beats;
                Console.WriteLine($"Over {beats:N0} beats: heap grew by {heapGrowth:N0} bytes; {perBeat:0.0} bytes allocated per beat (all of it short-lived).");
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        private static long Heap()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return GC.GetTotalMemory(forceFullCollection: true);
        }
    }
}
