using System;
using System.Threading.Tasks;
using Duri.Ops.Engine.Sandbox;
using Xunit;

namespace Duri.Ops.Tests.Support
{
    /// <summary>A real Prometheus and node_exporter on loopback (1 s scrape), started through the engine's own sandbox code.</summary>
    public sealed class SandboxFixture : IAsyncLifetime
    {
        public DuriSandbox Sandbox { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Sandbox = await DuriSandbox.StartAsync(new SandboxOptions { ScrapeInterval = TimeSpan.FromSeconds(1), OwnerTag = "xunit" });
        }

        public Task DisposeAsync()
        {
            Sandbox?.Stop();
            return Task.CompletedTask;
        }
    }

    [CollectionDefinition(Name)]
    public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
    {
        public const string Name = "sandbox";
    }
}
