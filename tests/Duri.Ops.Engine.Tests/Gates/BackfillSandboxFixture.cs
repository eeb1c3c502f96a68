using System;
using System.IO;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Gates
{
    /// <summary>
    /// A sandbox that starts on backfilled history (promtool tsdb create-blocks-from openmetrics): per gate, a realm in
    /// which that gate's series stopped two minutes ago while the others are written fresh through the textfile collector.
    /// </summary>
    public sealed class BackfillSandboxFixture : IAsyncLifetime
    {
        public const string StaleFile = "gate-stale.prom";

        /// <summary>The backfill's "now", whole minutes; the history is laid out relative to it.</summary>
        public DateTimeOffset Now { get; } = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60);

        public DuriSandbox Sandbox { get; private set; } = null!;

        public static string StaleRealm(string gate) => "gstale-" + gate;

        public static readonly TimeSpan StaleFor = TimeSpan.FromMinutes(2);

        public async Task InitializeAsync()
        {
            var history = new Backfill();
            foreach (var (gate, metric, healthy) in GateTextfile.Gates)
            {
                var labels = LabelSet.Create(new[]
                {
                    new System.Collections.Generic.KeyValuePair<string, string>("instance", "backfill"),
                    new System.Collections.Generic.KeyValuePair<string, string>("job", "node"),
                    new System.Collections.Generic.KeyValuePair<string, string>("metric_realm", StaleRealm(gate)),
                });
                history.Add(metric, labels, Backfill.Every(TimeSpan.FromSeconds(15), Now - TimeSpan.FromMinutes(30), Now - StaleFor, _ => healthy));
            }
            var blocks = history.CreateBlocks();
            try
            {
                Sandbox = await DuriSandbox.StartAsync(new SandboxOptions { ScrapeInterval = TimeSpan.FromSeconds(1), OwnerTag = "xunit-backfill", BlocksDirectory = blocks });
            }
            finally
            {
                Directory.Delete(Path.GetDirectoryName(blocks)!, recursive: true);
            }
        }

        public Task DisposeAsync()
        {
            Sandbox?.Stop();
            return Task.CompletedTask;
        }
    }

    [CollectionDefinition(Name)]
    public sealed class BackfillCollection : ICollectionFixture<BackfillSandboxFixture>
    {
        public const string Name = "backfill";
    }
}
