using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

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

    public static class LoopbackPort
    {
        /// <summary>A loopback port nothing listens on: connections to it are refused at once.</summary>
        public static int Closed()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }
    }
}
