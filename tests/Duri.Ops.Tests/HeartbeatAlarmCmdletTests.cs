using System;
using System.Collections;
using System.IO;
using System.Linq;
using Duri.Ops.Engine.HeartbeatModel;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Tests.Support;
using Xunit;
using static Duri.Ops.Tests.ErrorIds;

namespace Duri.Ops.Tests
{
    public sealed class HeartbeatAlarmCmdletTests : IDisposable
    {
        private readonly PowerShellSession _session = new PowerShellSession();
        private readonly string _directory = Directory.CreateTempSubdirectory("duri-alarm-cmdlets-").FullName;

        public void Dispose()
        {
            _session.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        private Hashtable Vars() => new Hashtable { ["dir"] = _directory, ["canonical"] = Path.Combine(RepositoryPaths.CanonicalRules, CanonicalRules.HeartbeatFile) };

        [Fact]
        public void TheSeedsConfigurationIsMeasuredWithAWarningAndProgress()
        {
            var run = _session.Run("Measure-DuriHeartbeatAlarm -HeartbeatInterval 60s -ScrapeInterval 30s -Window 6m -Freshness 75s -FreshnessOn WriterTime -Duration 10d");
            Assert.Empty(run.AllErrors);
            var m = run.Single<HeartbeatAlarmMeasurement>();
            Assert.Equal(FreshnessReference.WriterTime, m.FreshnessOn);
            Assert.InRange(m.FalseAlarmRate, 0.03, 0.1);
            Assert.InRange(0.0625, m.FalseAlarmRateLower, m.FalseAlarmRateUpper);
            Assert.Contains(run.Warnings, w => w.Contains("writer's timestamp") && w.Contains("Measured:"));
            Assert.Contains(run.Progress, p => p.PercentComplete > 0);
            Assert.Equal(System.Management.Automation.ProgressRecordType.Completed, run.Progress.Last().RecordType);
        }

        [Fact]
        public void TheShippedRuleFileIsReadAndMeasuredLikeTheDerivedDefaults()
        {
            var fromFile = _session.Run("Measure-DuriHeartbeatAlarm -RuleFile $canonical -Duration 5d", Vars()).Single<HeartbeatAlarmMeasurement>();
            var derived = _session.Run("Measure-DuriHeartbeatAlarm -Duration 5d").Single<HeartbeatAlarmMeasurement>();
            Assert.Equal(TimeSpan.FromMinutes(6), fromFile.Window);
            Assert.Equal(TimeSpan.FromSeconds(75), fromFile.Freshness);
            Assert.Equal(FreshnessReference.ScrapeTime, fromFile.FreshnessOn);
            Assert.Equal(derived.FlaggedEvaluations, fromFile.FlaggedEvaluations);
            Assert.Equal(derived.DetectionP99, fromFile.DetectionP99);
            Assert.True(fromFile.FalseAlarmRateUpper <= 0.001);
        }

        [Fact]
        public void ARuleFileWithoutHeartbeatRulesIsAnError()
        {
            var path = Path.Combine(RepositoryPaths.CanonicalRules, CanonicalRules.ContractFile);
            var run = _session.Run("Measure-DuriHeartbeatAlarm -RuleFile $path", new Hashtable { ["path"] = path });
            Assert.Equal("HeartbeatRulesNotFound", Id(run.Terminating!));
            Assert.Contains("-Window and -Freshness", run.Terminating!.ToString());
        }

        [Theory]
        [InlineData("-HeartbeatInterval 0s", "HeartbeatInterval must be positive")]
        [InlineData("-ScrapeInterval ([TimeSpan]::FromSeconds(-30))", "ScrapeInterval must be positive")]
        [InlineData("-Jitter 90s", "Jitter must be")]
        public void BadIntervalsAreAClearError(string arguments, string message)
        {
            var run = _session.Run("Measure-DuriHeartbeatAlarm -Duration 1d " + arguments);
            Assert.Equal("HeartbeatModelParametersInvalid", Id(run.Terminating!));
            Assert.Contains(message, run.Terminating!.ToString());
        }

        [Fact]
        public void AWindowShorterThanTheScrapeIntervalWarnsWithTheFigure()
        {
            var run = _session.Run("Measure-DuriHeartbeatAlarm -Window 20s -Duration 1d");
            Assert.Equal(1.0, run.Single<HeartbeatAlarmMeasurement>().FalseAlarmRate);
            Assert.Contains(run.Warnings, w => w.Contains("never holds two samples") && w.Contains("100.00%"));
        }

        [Fact]
        public void TheRecommendationPipesIntoExportDuriRuleFile()
        {
            var run = _session.Run("Get-DuriHeartbeatRecommendation -TargetFalseAlarm 0.001 -ScrapeInterval 15s -Jitter 4s -Duration 10d | Export-DuriRuleFile -Path $dir -NoTests", Vars());
            Assert.Empty(run.AllErrors);
            Assert.Equal(2, run.Output.Count);
            var recommendation = _session.Run("Get-DuriHeartbeatRecommendation -TargetFalseAlarm 0.001 -ScrapeInterval 15s -Jitter 4s -Duration 10d").Single<HeartbeatRecommendation>();
            Assert.True(recommendation.FalseAlarmRate <= 0.001);
            var written = HeartbeatAlarmModel.FromRuleFile(RuleFileReader.Load(Path.Combine(_directory, CanonicalRules.HeartbeatFile)).File);
            Assert.Equal(recommendation.Window, written.Window);
            Assert.Equal(recommendation.Freshness, written.Freshness);
            Assert.Equal(TimeSpan.FromSeconds(15), written.EvaluationInterval);
        }

        [Fact]
        public void AWriterTimeRecommendationIsNotExportedAsAScrapeAgeGuard()
        {
            var run = _session.Run("Get-DuriHeartbeatRecommendation -FreshnessOn WriterTime -Duration 5d | Export-DuriRuleFile -Path $dir", Vars());
            Assert.Equal("RuleParametersInvalid", Id(run.Terminating!));
            Assert.Empty(Directory.GetFiles(_directory));
        }

        [Fact]
        public void FailedScrapesBeyondTheTargetAndASlowDetectionAreErrorsWithTheFigures()
        {
            var stale = _session.Run("Get-DuriHeartbeatRecommendation -TargetFalseAlarm 0.001 -MissedScrapeProbability 0.01 -Duration 5d");
            Assert.Equal("HeartbeatTargetUnreachable", Id(Assert.Single(stale.Errors)));
            Assert.Contains("stale", stale.Errors[0].ToString());
            var slow = _session.Run("Get-DuriHeartbeatRecommendation -TargetFalseAlarm 0.001 -MaxDetection 1m -Duration 5d");
            Assert.Equal("HeartbeatDetectionTooSlow", Id(Assert.Single(slow.Errors)));
            Assert.Empty(slow.Output);
        }
    }
}
