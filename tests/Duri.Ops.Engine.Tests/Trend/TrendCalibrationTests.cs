using System;
using System.Collections.Generic;
using Duri.Ops.Engine.Trends;
using Xunit;

namespace Duri.Ops.Engine.Tests.Trend
{
    /// <summary>
    /// On pure noise (no trend) the verdict must be wrong no more often than its confidence promises. The test is
    /// two-sided at level 1 - Confidence, and Rising needs S &gt; 0 as well, so Rising alone is expected on
    /// (1 - Confidence) / 2 of noise series, Falling on as many. The counts over thousands of seeded series must
    /// lie within 4 binomial standard deviations of that rate (a chance failure of about 6e-5 per bound).
    /// </summary>
    public class TrendCalibrationTests
    {
        private const int SeriesCount = 6000;

        [Theory]
        [InlineData(0.95, false)]
        [InlineData(0.90, false)]
        [InlineData(0.95, true)]
        public void On_pure_noise_Rising_and_Falling_each_occur_at_half_of_one_minus_confidence(double confidence, bool coarseValues)
        {
            var options = new TrendOptions { Confidence = confidence, MinimumSlopePerMinute = 0 };
            var random = new Random(coarseValues ? 11 : (int)(confidence * 1000));
            int rising = 0, falling = 0;
            var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            for (int s = 0; s < SeriesCount; s++)
            {
                int n = 20 + s % 41;
                var points = new List<TrendPoint>(n);
                for (int i = 0; i < n; i++)
                {
                    double noise = 0.08 + 0.01 * Gaussian(random);
                    // Rounded to 0.005 the noise has many ties, which the variance must correct for.
                    if (coarseValues) noise = Math.Round(noise / 0.005) * 0.005;
                    points.Add(new TrendPoint(start.AddSeconds(5 * i), noise));
                }
                var verdict = TrendAnalyzer.Summarize(points, options).Verdict;
                if (verdict == TrendVerdict.Rising) rising++;
                else if (verdict == TrendVerdict.Falling) falling++;
            }
            double rate = (1 - confidence) / 2;
            double mean = SeriesCount * rate, sd = Math.Sqrt(SeriesCount * rate * (1 - rate));
            Assert.InRange(rising, mean - 4 * sd, mean + 4 * sd);
            Assert.InRange(falling, mean - 4 * sd, mean + 4 * sd);
        }

        private static double Gaussian(Random random)
        {
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }
}
