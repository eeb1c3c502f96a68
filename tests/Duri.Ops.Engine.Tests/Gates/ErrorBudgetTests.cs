using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Gates
{
    /// <summary>The multi-window burn-rate alerts at their boundaries. Objective 0.9375: a budget of 1/16, so burn rates are exact.</summary>
    public sealed class ErrorBudgetRuleTests
    {
        private const double Objective = 0.9375;

        private static ErrorBudgetBurn Judge(double m5, double m30, double h1, double h2, double h6, double d1, double d3, double period = 0)
        {
            var ratios = new[] { m5, m30, h1, h2, h6, d1, d3 };
            var windows = ErrorBudget.Windows.Select((w, i) => Window(w, ratios[i])).ToList();
            return ErrorBudget.Judge(Objective, TimeSpan.FromDays(30), windows, Window(TimeSpan.FromDays(30), period));
        }

        private static BurnWindow Window(TimeSpan span, double ratio)
        {
            var window = new BurnWindow { Window = span };
            if (double.IsNaN(ratio)) window.Problem = "no data";
            else window.ErrorRatio = ratio;
            return window;
        }

        // Burn rate = ratio x 16: 0.9 is 14.4, 0.375 is 6, 0.1875 is 3, 0.0625 is 1.
        [Theory]
        [InlineData(0.91, 0, 0.91, 0, 0, 0, 0, BurnStatus.Page)]
        [InlineData(0.9, 0, 0.91, 0, 0, 0, 0, BurnStatus.Ok)]
        [InlineData(0.91, 0, 0.9, 0, 0, 0, 0, BurnStatus.Ok)]
        [InlineData(0, 0.38, 0, 0, 0.38, 0, 0, BurnStatus.Page)]
        [InlineData(0, 0.375, 0, 0, 0.38, 0, 0, BurnStatus.Ok)]
        [InlineData(0, 0, 0, 0.19, 0, 0.19, 0, BurnStatus.Ticket)]
        [InlineData(0, 0, 0, 0.1875, 0, 0.19, 0, BurnStatus.Ok)]
        [InlineData(0, 0, 0, 0, 0.07, 0, 0.07, BurnStatus.Ticket)]
        [InlineData(0, 0, 0, 0, 0.0625, 0, 0.07, BurnStatus.Ok)]
        public void EachAlertNeedsBothItsWindowsAboveItsFactor(double m5, double m30, double h1, double h2, double h6, double d1, double d3, BurnStatus expected)
        {
            Assert.Equal(expected, Judge(m5, m30, h1, h2, h6, d1, d3).Status);
        }

        [Fact]
        public void AWindowWithoutDataIsUnknownUnlessAPageAlreadyFires()
        {
            var unknown = Judge(0, 0, 0, 0, 0, double.NaN, 0);
            Assert.Equal(BurnStatus.Unknown, unknown.Status);
            Assert.Contains("1d: no data", unknown.Reason);
            Assert.Equal(BurnStatus.Page, Judge(0.95, 0, 0.95, 0, 0, double.NaN, 0).Status);
        }

        [Fact]
        public void TheRemainingBudgetIsTheShareOfThePeriodsBudgetNotSpent()
        {
            var burn = Judge(0, 0, 0, 0, 0, 0, 0, period: 0.03125);
            Assert.Equal(0.5, burn.BudgetRemaining);
            Assert.Equal(0.5, burn.PeriodWindow.BurnRate);
            Assert.Equal(-1, Judge(0, 0, 0, 0, 0, 0, 0, period: 0.125).BudgetRemaining);
        }

        [Fact]
        public void AnUnknownPeriodWindowMakesTheStatusUnknown()
        {
            var unknown = Judge(0, 0, 0, 0, 0, 0, 0, period: double.NaN);
            Assert.Equal(BurnStatus.Unknown, unknown.Status);
            Assert.True(double.IsNaN(unknown.BudgetRemaining));
            Assert.Contains("the 4w2d period: no data", unknown.Reason);
            Assert.Equal(BurnStatus.Page, Judge(0.95, 0, 0.95, 0, 0, 0, 0, period: double.NaN).Status);
        }
    }

    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class ErrorBudgetLiveTests
    {
        private const string File = "gate-burn.prom";
        private readonly DuriSandbox _sandbox;

        public ErrorBudgetLiveTests(SandboxFixture fixture)
        {
            _sandbox = fixture.Sandbox;
        }

        [Fact]
        public async Task GreenAlwaysOnIsOkGreenOffPagesAndNoGreenIsUnknown()
        {
            System.IO.File.WriteAllText(Path.Combine(_sandbox.TextfileDirectory, File), "duri_green{metric_realm=\"gburn-good\"} 1\nduri_green{metric_realm=\"gburn-bad\"} 0\n");
            try
            {
                ErrorBudgetBurn good, bad;
                var deadline = DateTime.UtcNow.AddSeconds(15);
                do
                {
                    good = await ErrorBudget.MeasureAsync(_sandbox.Prometheus, 0.999, TimeSpan.FromDays(30), "gburn-good", null, null, null, CancellationToken.None);
                    bad = await ErrorBudget.MeasureAsync(_sandbox.Prometheus, 0.999, TimeSpan.FromDays(30), "gburn-bad", null, null, null, CancellationToken.None);
                }
                while ((good.Status == BurnStatus.Unknown || bad.Status == BurnStatus.Unknown) && DateTime.UtcNow < deadline && await Task.Delay(250).ContinueWith(_ => true));

                Assert.Equal(BurnStatus.Ok, good.Status);
                Assert.All(good.Windows, w => Assert.Equal(0, w.BurnRate));
                Assert.Equal(1, good.BudgetRemaining);
                Assert.Equal(7, good.Windows.Count);

                Assert.Equal(BurnStatus.Page, bad.Status);
                Assert.Equal(1000, bad.BurnRate(TimeSpan.FromHours(1)), 6);
                Assert.Equal(-999, bad.BudgetRemaining, 6);
                Assert.Contains("above 14.4", bad.Reason);

                var none = await ErrorBudget.MeasureAsync(_sandbox.Prometheus, 0.999, TimeSpan.FromDays(30), "gburn-none", null, null, null, CancellationToken.None);
                Assert.Equal(BurnStatus.Unknown, none.Status);
                Assert.All(none.Windows, w => Assert.False(w.Known));
                Assert.Contains("returned no series", none.Reason);
            }
            finally
            {
                System.IO.File.Delete(Path.Combine(_sandbox.TextfileDirectory, File));
            }
        }

        // Each value is scraped in turn; 0 then 2 average to 1, which the average alone takes for all green.
        [Theory]
        [InlineData("gburn-two", "2")]
        [InlineData("gburn-inf", "+Inf")]
        [InlineData("gburn-below", "-1")]
        [InlineData("gburn-nan", "NaN")]
        [InlineData("gburn-zero-two", "0 2")]
        public async Task AGreenValueOutsideZeroToOneMakesEveryWindowHoldingItUnknown(string realm, string values)
        {
            string path = Path.Combine(_sandbox.TextfileDirectory, realm + ".prom");
            try
            {
                foreach (string value in values.Split(' '))
                {
                    System.IO.File.WriteAllText(path, $"duri_green{{metric_realm=\"{realm}\"}} {value}\n");
                    await ScrapedAsync(realm, value);
                }
                var burn = await ErrorBudget.MeasureAsync(_sandbox.Prometheus, 0.999, TimeSpan.FromDays(30), realm, null, null, null, CancellationToken.None);

                Assert.Equal(BurnStatus.Unknown, burn.Status);
                Assert.All(burn.Windows.Append(burn.PeriodWindow), w => Assert.Contains($"duri_green{{metric_realm=\"{realm}\"}} was NaN or outside [0, 1] in this window", w.Problem));
                Assert.True(double.IsNaN(burn.BudgetRemaining));
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        [Fact]
        public async Task AGreenSeriesInRangeDoesNotStandInForAnotherOutOfRange()
        {
            const string realm = "gburn-two-series";
            string path = Path.Combine(_sandbox.TextfileDirectory, realm + ".prom");
            System.IO.File.WriteAllText(path, $"duri_green{{metric_realm=\"{realm}\",instance=\"a\"}} 1\nduri_green{{metric_realm=\"{realm}\",instance=\"b\"}} 2\n");
            try
            {
                await ScrapedAsync(realm, "1", "2");
                var burn = await ErrorBudget.MeasureAsync(_sandbox.Prometheus, 0.999, TimeSpan.FromDays(30), realm, null, null, null, CancellationToken.None);

                Assert.Equal(BurnStatus.Unknown, burn.Status);
                Assert.Contains("was NaN or outside [0, 1] in this window", burn.Reason);
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        private async Task ScrapedAsync(string realm, params string[] values)
        {
            var expected = values.Select(v => PrometheusValue.TryParse(v, out double parsed) ? parsed : throw new ArgumentException(v)).OrderBy(v => v);
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (true)
            {
                var answer = await _sandbox.Prometheus.QueryAsync($"duri_green{{metric_realm=\"{realm}\"}}", null, null, CancellationToken.None);
                if (answer.Vector.Select(s => s.Value).OrderBy(v => v).SequenceEqual(expected)) return;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"duri_green of {realm} was not scraped as {string.Join(", ", values)} within 15 s.");
                await Task.Delay(250);
            }
        }
    }
}
