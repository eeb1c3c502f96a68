using System;
using System.IO;
using System.Linq;
using Duri.Ops.Engine.Prometheus;
using Xunit;

namespace Duri.Ops.Engine.Tests
{
    public class PrometheusConfigFileTests
    {
        [Fact]
        public void ReadsIntervalsRuleFilesAndJobsWithTheirLines()
        {
            const string yaml = "global:\n  scrape_interval: 30s\n  evaluation_interval: 1m\nrule_files:\n  - rules/*.yml\n  - 'extra.rules.yml'\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['localhost:9090']\n  - job_name: node\n";
            var config = PrometheusConfigFile.Parse(yaml, "prometheus.yml");
            Assert.Equal(TimeSpan.FromSeconds(30), config.ScrapeInterval);
            Assert.Equal(TimeSpan.FromMinutes(1), config.EvaluationInterval);
            Assert.Equal(new[] { "rules/*.yml", "extra.rules.yml" }, config.RuleFiles);
            Assert.Equal(new[] { "prometheus", "node" }, config.ScrapeJobs.Select(j => j.Name));
            Assert.Equal(new[] { 8, 11 }, config.ScrapeJobs.Select(j => j.Line));
        }

        [Fact]
        public void AnEmptyFileHasNothing()
        {
            var config = PrometheusConfigFile.Parse("", "empty.yml");
            Assert.Empty(config.ScrapeJobs);
            Assert.Empty(config.RuleFiles);
            Assert.Null(config.ScrapeInterval);
        }

        [Theory]
        [InlineData("scrape_configs:\n  - job_name: a\n  - job_name: a\n", 3, "already used on line 2")]
        [InlineData("scrape_configs:\n  - static_configs: []\n", 2, "no job_name")]
        [InlineData("global:\n  scrape_interval: often\n", 2, "not a duration")]
        [InlineData("scrape_configs: {}\n", 1, "must be a list")]
        [InlineData("rule_files:\n  - [a]\n", 2, "must be a path")]
        [InlineData("global: {\n", 2, "not valid YAML")]
        [InlineData("- a\n- b\n", 1, "must be a mapping")]
        public void ReportsProblemsWithFileAndLine(string yaml, int line, string problem)
        {
            var e = Assert.Throws<ConfigFileException>(() => PrometheusConfigFile.Parse(yaml, "bad.yml"));
            Assert.Equal(line, e.Line);
            Assert.Contains(problem, e.Problem);
            Assert.StartsWith($"bad.yml:{line}:", e.Message);
        }

        [Fact]
        public void AMissingFileIsFileNotFound()
        {
            Assert.Throws<FileNotFoundException>(() => PrometheusConfigFile.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".yml")));
        }
    }
}
