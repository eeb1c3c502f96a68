using System;
using BenchmarkDotNet.Running;

namespace Duri.Ops.Benchmarks
{
    public static class Program
    {
        public static void Main(string[] args)
        {
            if (args.Length == 1 && args[0] == HeartbeatMemory.Switch)
            {
                HeartbeatMemory.Run();
                return;
            }
            if (args.Length == 1 && args[0] == TrendDayWithoutGc.Switch)
            {
                TrendDayWithoutGc.Run();
                return;
            }
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        }
    }
}
