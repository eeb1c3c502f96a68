using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Duri.Ops.Engine.Exposition;
using Duri.Ops.Engine.Prometheus;
using Xunit;

namespace Duri.Ops.Engine.Tests.Heartbeat
{
    public class ExpositionWriterTests
    {
        private static KeyValuePair<string, string> L(string name, string value) => new KeyValuePair<string, string>(name, value);

        [Theory]
        [InlineData("plain", "plain")]
        [InlineData("a\"b", "a\\\"b")]
        [InlineData("back\\slash", "back\\\\slash")]
        [InlineData("two\nlines", "two\\nlines")]
        [InlineData("tab\tand ünïcode", "tab\tand ünïcode")]
        public void EscapesLabelValuesAsTheTextFormatRequires(string value, string escaped)
        {
            Assert.Equal(escaped, ExpositionWriter.EscapeLabelValue(value));
        }

        [Fact]
        public void EscapesHelpWithoutTouchingQuotes()
        {
            Assert.Equal("say \"hi\" \\\\ then\\nmore", ExpositionWriter.EscapeHelp("say \"hi\" \\ then\nmore"));
        }

        [Theory]
        [InlineData(double.NaN, "NaN")]
        [InlineData(double.PositiveInfinity, "+Inf")]
        [InlineData(double.NegativeInfinity, "-Inf")]
        [InlineData(0.1, "0.1")]
        [InlineData(1e21, "1E+21")]
        public void FormatsValuesAsPrometheusReadsThem(double value, string text)
        {
            Assert.Equal(text, ExpositionWriter.FormatValue(value));
        }

        [Theory]
        [InlineData("", false)]
        [InlineData("1abc", false)]
        [InlineData("a-b", false)]
        [InlineData("a:b", false)]
        [InlineData("__reserved", false)]
        [InlineData("team", true)]
        [InlineData("_x9", true)]
        public void ValidatesLabelNames(string name, bool valid)
        {
            Assert.Equal(valid, ExpositionWriter.DescribeInvalidLabelName(name) == null);
        }

        [Fact]
        public void WhatItWritesReadsBackWithTheSameValues()
        {
            var text = new StringBuilder();
            var tricky = "q\"uote \\ back\nnewline";
            new ExpositionWriter(text)
                .Family("x_seconds", MetricType.Gauge, "Help with \\ and\nnewline.")
                .SampleUnixSeconds("x_seconds", new[] { L("a", tricky), L("b", "") }, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_007))
                .Family("y_total", MetricType.Counter, "Counter.")
                .Sample("y_total", Array.Empty<KeyValuePair<string, string>>(), 42L)
                .Sample("y_total", new[] { L("c", "1") }, double.NaN);

            Assert.Contains("x_seconds{a=\"q\\\"uote \\\\ back\\nnewline\",b=\"\"} 1700000000.007\n", text.ToString(), StringComparison.Ordinal);
            var families = ExpositionReader.Read(text.ToString());
            Assert.Equal("Help with \\ and\nnewline.", families[0].Help);
            Assert.Equal(MetricType.Gauge, families[0].Type);
            Assert.Equal(tricky, families[0].Samples[0].Labels["a"]);
            Assert.Equal(1_700_000_000.007, families[0].Samples[0].Value);
            Assert.Equal(MetricType.Counter, families[1].Type);
            Assert.Equal(new[] { 42.0 }, families[1].Samples.Take(1).Select(s => s.Value));
            Assert.True(double.IsNaN(families[1].Samples[1].Value));
        }

        [Fact]
        public void RefusesInvalidNames()
        {
            var writer = new ExpositionWriter(new StringBuilder());
            Assert.Throws<ArgumentException>(() => writer.Family("bad-name", MetricType.Gauge, "x"));
            Assert.Throws<ArgumentException>(() => writer.Sample("ok", new[] { L("bad-label", "v") }, 1L));
        }
    }
}
