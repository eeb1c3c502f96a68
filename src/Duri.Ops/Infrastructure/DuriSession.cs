using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Sandbox;

namespace Duri.Ops.Infrastructure
{
    /// <summary>
    /// The session default connection (set by Connect-DuriPrometheus), one per runspace: the module's only state.
    /// </summary>
    internal static class DuriSession
    {
        private static readonly ConcurrentDictionary<Guid, PrometheusConnection> Defaults = new ConcurrentDictionary<Guid, PrometheusConnection>();

        private static Guid CurrentRunspaceId => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;

        /// <summary>Tags sandboxes with the runspace that started them, so that removing the module stops only its own.</summary>
        public static string OwnerTag => CurrentRunspaceId.ToString("N");

        public static PrometheusConnection? DefaultConnection =>
            Defaults.TryGetValue(CurrentRunspaceId, out var connection) && !connection.IsDisposed ? connection : null;

        public static void SetDefault(PrometheusConnection connection)
        {
            // The previous default is not disposed: results that carry it may still be piped on.
            Defaults[CurrentRunspaceId] = connection;
        }

        public static void Clear()
        {
            if (Defaults.TryRemove(CurrentRunspaceId, out var connection)) connection.Dispose();
        }
    }

    /// <summary>Remove-Module Duri.Ops: dispose the session connection and stop this session's sandboxes.</summary>
    public sealed class ModuleCleanup : IModuleAssemblyCleanup
    {
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            DuriSession.Clear();
            DuriSandbox.StopOwnedBy(DuriSession.OwnerTag);
        }
    }
}
