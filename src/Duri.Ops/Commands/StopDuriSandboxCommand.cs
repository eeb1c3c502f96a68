using System.Management.Automation;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Stops a sandbox's Prometheus and node_exporter and removes its directory.</para>
    /// <para type="description">Sends Prometheus SIGTERM so its TSDB closes cleanly (a kill follows after a grace period), stops node_exporter, and removes the sandbox directory unless -Keep is given. Stopping a sandbox that is already stopped does nothing.</para>
    /// </summary>
    /// <example>
    /// <code>$sandbox | Stop-DuriSandbox -Keep</code>
    /// <para>Stops the processes but keeps the directory (config, TSDB, logs) for inspection.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Stop, "DuriSandbox", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DuriSandbox))]
    public sealed class StopDuriSandboxCommand : DuriCmdlet
    {
        /// <summary><para type="description">The sandbox from Start-DuriSandbox.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        public DuriSandbox Sandbox { get; set; } = null!;

        /// <summary><para type="description">Keep the sandbox directory.</para></summary>
        [Parameter]
        public SwitchParameter Keep { get; set; }

        /// <summary><para type="description">Output the stopped sandbox.</para></summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (Sandbox.State == SandboxState.Stopped)
            {
                WriteVerbose($"The sandbox {Sandbox.Id} is already stopped.");
            }
            else
            {
                var action = Keep ? "Stop Prometheus and node_exporter, keeping " + Sandbox.Path : "Stop Prometheus and node_exporter and remove " + Sandbox.Path;
                if (!ShouldProcess(Sandbox.ToString(), action)) return;
                Sandbox.Stop(Keep);
            }
            if (PassThru) WriteObject(Sandbox);
        }
    }
}
