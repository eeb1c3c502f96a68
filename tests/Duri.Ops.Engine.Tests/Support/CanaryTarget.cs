using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Duri.Ops.Tests.Support
{
    /// <summary>What the canary target answers to its n-th request (1-based, in arrival order).</summary>
    public readonly struct CanaryAnswer
    {
        private CanaryAnswer(int status, string body, TimeSpan delay, bool hang)
        {
            Status = status;
            Body = body;
            Delay = delay;
            Hang = hang;
        }

        public int Status { get; }

        public string Body { get; }

        public TimeSpan Delay { get; }

        public bool Hang { get; }

        public static CanaryAnswer Ok(string body) => new CanaryAnswer(200, body, TimeSpan.Zero, false);

        public static CanaryAnswer Slow(string body, TimeSpan delay) => new CanaryAnswer(200, body, delay, false);

        public static CanaryAnswer Failing(int status) => new CanaryAnswer(status, "failure " + status, TimeSpan.Zero, false);

        /// <summary>Accept the request and never answer.</summary>
        public static CanaryAnswer Never() => new CanaryAnswer(0, string.Empty, TimeSpan.Zero, true);
    }

    /// <summary>
    /// A loopback HTTP server standing for a canary: answers each request as a function of its number, and records how
    /// many requests it got and the most it had open at once.
    /// </summary>
    public sealed class CanaryTarget : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly Func<long, CanaryAnswer> _answer;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private long _requests;
        private int _open;
        private int _mostOpen;

        public CanaryTarget(Func<long, CanaryAnswer> answer)
        {
            _answer = answer;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Uri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/canary");
            _ = AcceptLoopAsync();
        }

        public Uri Uri { get; }

        public long Requests => Interlocked.Read(ref _requests);

        public int MostOpen => Volatile.Read(ref _mostOpen);

        /// <summary>Every fourth answer repeats the one before: r1 r2 r3 r3 r5 r6 r7 r7 ..., a unique ratio of exactly 0.75 over any multiple of 4.</summary>
        public static CanaryAnswer EveryFourthRepeats(long n) => CanaryAnswer.Ok("r" + (n % 4 == 0 ? n - 1 : n));

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(); }
                catch (Exception) { return; }
                _ = Task.Run(() => HandleAsync(client));
            }
        }

        private async Task HandleAsync(TcpClient client)
        {
            using (client)
            {
                int open = Interlocked.Increment(ref _open);
                int most;
                while (open > (most = Volatile.Read(ref _mostOpen)) && Interlocked.CompareExchange(ref _mostOpen, open, most) != most)
                {
                }
                try
                {
                    var stream = client.GetStream();
                    if (!await ReadHeadAsync(stream)) return;
                    var answer = _answer(Interlocked.Increment(ref _requests));
                    if (answer.Hang)
                    {
                        await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { });
                        return;
                    }
                    if (answer.Delay > TimeSpan.Zero) await Task.Delay(answer.Delay, _stop.Token);
                    var body = Encoding.UTF8.GetBytes(answer.Body);
                    var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {answer.Status} {(answer.Status < 400 ? "OK" : "Failure")}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                    await stream.WriteAsync(head, 0, head.Length);
                    await stream.WriteAsync(body, 0, body.Length);
                    await stream.FlushAsync();
                }
                catch (Exception e) when (e is IOException || e is ObjectDisposedException || e is OperationCanceledException)
                {
                }
                finally
                {
                    Interlocked.Decrement(ref _open);
                }
            }
        }

        private static async Task<bool> ReadHeadAsync(NetworkStream stream)
        {
            var one = new byte[1];
            int matched = 0;
            while (matched < 4)
            {
                if (await stream.ReadAsync(one, 0, 1) == 0) return false;
                matched = one[0] == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : one[0] == '\r' ? 1 : 0;
            }
            return true;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
