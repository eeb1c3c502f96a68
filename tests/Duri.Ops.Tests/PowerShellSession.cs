using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Duri.Ops.Commands;

namespace Duri.Ops.Tests
{
    public static class ErrorIds
    {
        /// <summary>The error id without the command name PowerShell appends.</summary>
        public static string Id(ErrorRecord error) => error.FullyQualifiedErrorId.Split(',')[0];
    }

    /// <summary>What one script run wrote to each stream.</summary>
    public sealed class PowerShellRun
    {
        public Collection<PSObject> Output { get; init; } = new();
        public List<ErrorRecord> Errors { get; init; } = new();
        public List<string> Warnings { get; init; } = new();
        public List<string> Verbose { get; init; } = new();
        public List<string> Debug { get; init; } = new();
        public List<ProgressRecord> Progress { get; init; } = new();
        public ErrorRecord? Terminating { get; init; }

        public IEnumerable<ErrorRecord> AllErrors => Terminating == null ? Errors : Errors.Append(Terminating);

        /// <summary>Every message in every stream, for checks that a secret appears nowhere.</summary>
        public IEnumerable<string> AllText =>
            Output.Select(o => o?.ToString() ?? string.Empty)
                .Concat(AllErrors.SelectMany(e => new[] { e.ToString(), e.Exception?.ToString() ?? string.Empty, e.ErrorDetails?.Message ?? string.Empty }))
                .Concat(Warnings).Concat(Verbose).Concat(Debug);

        public T Single<T>() => (T)Output.Single().BaseObject;

        public List<T> All<T>() => Output.Select(o => (T)o.BaseObject).ToList();
    }

    /// <summary>A runspace with the Duri.Ops cmdlets imported from the built assembly, as a host would load them.</summary>
    public sealed class PowerShellSession : IDisposable
    {
        private readonly Runspace _runspace;

        public PowerShellSession()
        {
            var state = InitialSessionState.CreateDefault2();
            state.ImportPSModule(new[] { typeof(ConnectDuriPrometheusCommand).Assembly.Location });
            _runspace = RunspaceFactory.CreateRunspace(state);
            _runspace.Open();
        }

        public PowerShellRun Run(string script, IDictionary? variables = null)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            if (variables != null)
            {
                foreach (DictionaryEntry v in variables) _runspace.SessionStateProxy.SetVariable((string)v.Key, v.Value);
            }
            // A cmdlet's terminating error only ends its statement and lands in the error stream;
            // the try/catch tells it apart from errors written with WriteError.
            _runspace.SessionStateProxy.SetVariable("__duriTerminating", null);
            ps.AddScript("try {\n" + script + "\n} catch { $global:__duriTerminating = $_ }");
            Collection<PSObject> output = new();
            ErrorRecord? terminating = null;
            try
            {
                output = ps.Invoke();
                terminating = (_runspace.SessionStateProxy.GetVariable("__duriTerminating") as ErrorRecord)
                    ?? (_runspace.SessionStateProxy.GetVariable("__duriTerminating") as PSObject)?.BaseObject as ErrorRecord;
            }
            catch (RuntimeException e)
            {
                terminating = e.ErrorRecord;
            }
            return new PowerShellRun
            {
                Output = output,
                Errors = ps.Streams.Error.ToList(),
                Warnings = ps.Streams.Warning.Select(w => w.Message).ToList(),
                Verbose = ps.Streams.Verbose.Select(v => v.Message).ToList(),
                Debug = ps.Streams.Debug.Select(d => d.Message).ToList(),
                Progress = ps.Streams.Progress.ToList(),
                Terminating = terminating,
            };
        }

        public PowerShell CreatePipeline(string script)
        {
            var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddScript(script);
            return ps;
        }

        public void Dispose() => _runspace.Dispose();
    }
}
