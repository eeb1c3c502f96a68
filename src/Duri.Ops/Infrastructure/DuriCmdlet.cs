using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Infrastructure
{
    /// <summary>
    /// Base of every Duri.Ops cmdlet: a cancellation token that Ctrl+C (StopProcessing) cancels, and a way to
    /// wait for engine work while its messages (debug lines, progress) are written on the pipeline thread.
    /// </summary>
    public abstract class DuriCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ConcurrentQueue<Action> _pipelineThreadWork = new ConcurrentQueue<Action>();

        protected CancellationToken StopToken => _stop.Token;

        protected override void StopProcessing() => _stop.Cancel();

        /// <summary>Schedules <paramref name="action"/> (a Write* call) for the pipeline thread; safe from any thread.</summary>
        protected void OnPipelineThread(Action action) => _pipelineThreadWork.Enqueue(action);

        /// <summary>Engine debug lines, queued for WriteDebug.</summary>
        protected void QueueDebug(string message) => OnPipelineThread(() => WriteDebug(message));

        /// <summary>Waits for engine work, writing queued messages meanwhile; Ctrl+C ends the wait at once.</summary>
        protected T Await<T>(Func<CancellationToken, Task<T>> work)
        {
            Task<T> task;
            using (PrometheusClient.BeginTrace(QueueDebug))
            {
                task = work(StopToken);
            }
            IAsyncResult waitable = task;
            while (!waitable.AsyncWaitHandle.WaitOne(50)) DrainPipelineThreadWork();
            DrainPipelineThreadWork();
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        protected void Await(Func<CancellationToken, Task> work) =>
            Await<bool>(async token =>
            {
                await work(token).ConfigureAwait(false);
                return true;
            });

        protected void DrainPipelineThreadWork()
        {
            while (_pipelineThreadWork.TryDequeue(out var action)) action();
        }

        /// <summary>
        /// A folder the module ships (rules, policy): beside the manifest in a package, under module/ in the
        /// repository. Null when neither exists.
        /// </summary>
        protected string? ShippedDirectory(string name)
        {
            var moduleBase = MyInvocation.MyCommand.Module?.ModuleBase;
            if (moduleBase == null) return null;
            foreach (var candidate in new[] { System.IO.Path.Combine(moduleBase, name), System.IO.Path.Combine(moduleBase, "module", name) })
            {
                if (System.IO.Directory.Exists(candidate)) return candidate;
            }
            return null;
        }

        protected ErrorRecord Error(string id, ErrorCategory category, object? target, string message, Exception? exception = null)
        {
            var record = new ErrorRecord(exception ?? new InvalidOperationException(message), id, category, target);
            if (exception != null && exception.Message != message) record.ErrorDetails = new ErrorDetails(message);
            return record;
        }

        /// <summary>The error record for a failed call: id <c>Prometheus&lt;Reason&gt;</c>, category, the call's URI as target.</summary>
        protected static ErrorRecord ErrorFor(PrometheusException e, object? target = null)
        {
            string id;
            ErrorCategory category;
            switch (e.Kind)
            {
                case PrometheusErrorKind.Unreachable:
                    id = "PrometheusUnreachable";
                    category = ErrorCategory.ConnectionError;
                    break;
                case PrometheusErrorKind.InvalidResponse:
                    id = "PrometheusInvalidResponse";
                    category = ErrorCategory.InvalidResult;
                    break;
                case PrometheusErrorKind.Unauthorized:
                    id = "PrometheusUnauthorized";
                    category = ErrorCategory.PermissionDenied;
                    break;
                case PrometheusErrorKind.QueryFailed:
                    id = "PrometheusQueryFailed";
                    category = e.ErrorType == "bad_data" ? ErrorCategory.InvalidArgument
                        : e.ErrorType == "timeout" ? ErrorCategory.OperationTimeout
                        : ErrorCategory.InvalidResult;
                    break;
                default:
                    id = "PrometheusHttpError";
                    category = ErrorCategory.InvalidResult;
                    break;
            }
            return new ErrorRecord(e, id, category, target ?? e.RequestUri);
        }

        /// <summary>Failures that end the whole command: no server, no access, or a server that is not Prometheus.</summary>
        protected static bool EndsTheCommand(PrometheusException e) => e.Kind != PrometheusErrorKind.QueryFailed;

        public void Dispose()
        {
            _stop.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
