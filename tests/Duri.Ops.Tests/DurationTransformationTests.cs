using System;
using System.Management.Automation;
using Duri.Ops.Infrastructure;
using Xunit;

namespace Duri.Ops.Tests
{
    public sealed class DurationTransformationTests : IDisposable
    {
        private readonly PowerShellSession _session = new PowerShellSession();

        public void Dispose() => _session.Dispose();

        // Typed exactly as a user would: PowerShell turns 10s, 1d and 1y into suffixed numbers first.
        [Theory]
        [InlineData("10s", 10)]
        [InlineData("1d", 86_400)]
        [InlineData("1y", 31_536_000)]
        [InlineData("5m", 300)]
        [InlineData("1h30m", 5_400)]
        [InlineData("'15s'", 15)]
        [InlineData("90", 90)]
        [InlineData("2.5", 2.5)]
        [InlineData("500ms", 0.5)]
        [InlineData("([timespan]'00:02:00')", 120)]
        public void TakesWhatAnOperatorTypes(string argument, double seconds)
        {
            var run = _session.Run($"& {{ param([Duri.Ops.Infrastructure.DurationTransformation()] [timespan] $d) $d }} {argument}");
            Assert.Empty(run.AllErrors);
            Assert.Equal(TimeSpan.FromSeconds(seconds), run.Single<TimeSpan>());
        }

        [Fact]
        public void RejectsWhatIsNotADuration()
        {
            var e = Assert.Throws<ArgumentTransformationMetadataException>(() => new DurationTransformationAttribute().Transform(null!, "ten minutes"));
            Assert.Contains("15s, 5m, 1h30m", e.Message);
        }
    }
}
