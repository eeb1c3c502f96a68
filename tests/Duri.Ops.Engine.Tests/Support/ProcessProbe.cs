using System;
using System.Diagnostics;

namespace Duri.Ops.Tests.Support
{
    public static class ProcessProbe
    {
        public static bool IsRunning(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }
}
