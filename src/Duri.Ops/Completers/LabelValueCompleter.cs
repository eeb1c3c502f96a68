using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Completers
{
    /// <summary>
    /// Completes a parameter from the values of one label on the server the command line points at. Tab must
    /// never hang the prompt or print errors, so the call is cut off after <see cref="Bound"/> and any failure
    /// (server down, bad URI, an answer it cannot read) completes nothing.
    /// </summary>
    public abstract class LabelValueCompleter : IArgumentCompleter
    {
        /// <summary>How long one press of Tab may wait for the server, in all.</summary>
        internal static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

        private static readonly string[] ConnectionParameterNames = { "Uri", "Credential", "Token", "Header", "SkipCertificateCheck" };

        private readonly string _label;

        protected LabelValueCompleter(string label)
        {
            _label = label;
        }

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                if (!TryPrepare(parameterName, wordToComplete ?? string.Empty, commandAst, out var prefix, out var completionText)) return Array.Empty<CompletionResult>();
                return FetchValues(fakeBoundParameters)
                    .Where(value => value.Length > 0 && value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .OrderBy(value => value, StringComparer.Ordinal)
                    .Select(value => new CompletionResult(completionText(value), value, CompletionResultType.ParameterValue, value))
                    .ToList();
            }
            catch (Exception)
            {
                return Array.Empty<CompletionResult>();
            }
        }

        /// <summary>
        /// Reads what was typed: the label-value prefix to match and how a value becomes the text that replaces
        /// the word. False when the word is no place for a value of this label.
        /// </summary>
        protected abstract bool TryPrepare(string parameterName, string wordToComplete, CommandAst commandAst, out string prefix, out Func<string, string> completionText);

        private IReadOnlyList<string> FetchValues(IDictionary fakeBoundParameters)
        {
            var connection = ResolveConnection(fakeBoundParameters, out bool owned);
            if (connection == null) return Array.Empty<string>();
            try
            {
                using (var cancellation = new CancellationTokenSource(Bound))
                {
                    var client = connection.ClientWith(Bound);
                    var call = Task.Run(() => client.GetLabelValuesAsync(_label, cancellationToken: cancellation.Token), cancellation.Token);
                    if (!call.Wait(Bound))
                    {
                        cancellation.Cancel();
                        return Array.Empty<string>();
                    }
                    return call.Result;
                }
            }
            finally
            {
                if (owned) connection.Dispose();
            }
        }

        /// <summary>
        /// The connection the command would use, in the cmdlets' order: -Prometheus, else the session default
        /// unless connection parameters were typed, else -Uri, $env:DURI_PROMETHEUS_URL or the fallback. Null
        /// when the line names a connection that cannot be used. A connection built here carries only the URI, so
        /// a server that needs the -Credential, -Token or -Header typed on the line completes nothing.
        /// </summary>
        private static PrometheusConnection? ResolveConnection(IDictionary fakeBoundParameters, out bool owned)
        {
            owned = false;
            var given = Argument(fakeBoundParameters, "Prometheus");
            if (given != null)
            {
                var connection = given as PrometheusConnection;
                return connection == null || connection.IsDisposed ? null : connection;
            }

            bool hasConnectionParameters = ConnectionParameterNames.Any(name => name == "SkipCertificateCheck"
                ? LanguagePrimitives.IsTrue(Argument(fakeBoundParameters, name))
                : Argument(fakeBoundParameters, name) != null);
            var sessionDefault = ConnectionDefaults.SessionDefault(hasConnectionParameters);
            if (sessionDefault != null) return sessionDefault;

            Uri? typedUri = null;
            var uriArgument = Argument(fakeBoundParameters, "Uri");
            if (uriArgument != null && !LanguagePrimitives.TryConvertTo(uriArgument, out typedUri)) return null;
            var uri = ConnectionDefaults.UriOrDefault(typedUri, out _);
            if (uri == null || PrometheusConnectionSettings.DescribeInvalidUri(uri) != null) return null;
            owned = true;
            return PrometheusConnection.Create(new PrometheusConnectionSettings(uri) { Timeout = Bound });
        }

        private static object? Argument(IDictionary fakeBoundParameters, string name)
        {
            var value = fakeBoundParameters != null && fakeBoundParameters.Contains(name) ? fakeBoundParameters[name] : null;
            return value is PSObject wrapped ? wrapped.BaseObject : value;
        }
    }
}
