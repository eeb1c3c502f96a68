using Xunit;

namespace Duri.Ops.Tests.Support
{
    /// <summary>
    /// Tests that count what a run of a set duration managed to do. They run alone, after the parallel ones, so that no
    /// other test's sandbox start competes for the two cores while they count (stalls of half a second cut 1 s runs short).
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class TimedRunCollection
    {
        public const string Name = "Timed runs";
    }
}
