using System;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;

namespace Duri.Ops.Tests
{
    /// <summary>Base of hosted tests against the shared sandbox: the sandbox, and a runspace of their own.</summary>
    public abstract class SandboxSessionTest : IDisposable
    {
        protected SandboxSessionTest(SandboxFixture fixture)
        {
            Sandbox = fixture.Sandbox;
        }

        protected DuriSandbox Sandbox { get; }

        protected PowerShellSession Session { get; } = new PowerShellSession();

        public virtual void Dispose()
        {
            Session.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
