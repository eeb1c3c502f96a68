using System;
using System.Collections.Generic;
using System.Globalization;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>An API answer's envelope: status, the error fields and warnings, around endpoint data.</summary>
    internal sealed class ApiResponse<T>
    {
        public bool IsSuccess;
        public T? Data;
        public string? ErrorType;
        public string? Error;
        public IReadOnlyList<string> Warnings = Array.Empty<string>();
    }

    /// <summary>Reads the answers of the HTTP API shared by Prometheus, Thanos, Mimir and VictoriaMetrics.</summary>
    internal static class ApiResponseParser
    {
        public delegate T DataReader<T>(JsonScanner scanner);

        public static ApiResponse<T> ParseEnvelope<T>(byte[] body, int length, DataReader<T> readData)
        {
            var scanner = new JsonScanner(body, length);
            var response = new ApiResponse<T>();
            string? status = null;
            scanner.BeginObject();
            while (scanner.NextMember(out string name))
            {
                switch (name)
                {
                    case "status": status = scanner.ReadString(); break;
                    case "data":
                        if (scanner.PeekSignificant() == (byte)'n') scanner.SkipValue();
                        else response.Data = readData(scanner);
                        break;
                    case "errorType": response.ErrorType = scanner.ReadStringOrNull(); break;
                    case "error": response.Error = scanner.ReadStringOrNull(); break;
                    case "warnings": response.Warnings = scanner.ReadStringArray(); break;
                    default: scanner.SkipValue(); break;
                }
            }
            scanner.ExpectEnd();
            if (status == null) throw new JsonScanException("No 'status' member: not a Prometheus API answer", 0);
            response.IsSuccess = status == "success";
            return response;
        }

        public static PrometheusQueryResult ReadQueryData(JsonScanner s)
        {
            string? resultType = null;
            PrometheusQueryResult? result = null;
            s.BeginObject();
            while (s.NextMember(out string name))
            {
                if (name == "resultType") resultType = s.ReadString();
                else if (name == "result")
                {
                    // Prometheus writes resultType first; other servers may not, so the result waits for it only when it must.
                    if (resultType == null) throw new JsonScanException("'result' before 'resultType'", s.Position);
                    result = ReadResult(s, resultType);
                }
                else s.SkipValue();
            }
            return result ?? throw new JsonScanException("No 'result' in query data", s.Position);
        }

        private static PrometheusQueryResult ReadResult(JsonScanner s, string resultType)
        {
            switch (resultType)
            {
                case "vector": return ReadVector(s);
                case "matrix": return ReadMatrix(s);
                case "scalar":
                    return new PrometheusQueryResult(PrometheusResultType.Scalar) { Scalar = s.ReadSample() };
                case "string":
                    s.BeginArray();
                    long ms = s.ReadUnixSecondsAsMilliseconds();
                    if (!s.NextElement()) throw new JsonScanException("String result without a value", s.Position);
                    string text = s.ReadString();
                    if (s.NextElement()) throw new JsonScanException("Extra data in a string result", s.Position);
                    return new PrometheusQueryResult(PrometheusResultType.String)
                    {
                        String = text,
                        StringTimestamp = DateTimeOffset.FromUnixTimeMilliseconds(ms),
                    };
                default:
                    throw new JsonScanException($"Unknown resultType '{resultType}'", s.Position);
            }
        }

        private static PrometheusQueryResult ReadVector(JsonScanner s)
        {
            var labelScratch = new List<KeyValuePair<string, string>>();
            var samples = new List<PrometheusVectorSample>();
            int skippedHistograms = 0;
            s.BeginArray();
            while (s.NextElement())
            {
                LabelSet labels = LabelSet.Empty;
                PrometheusSample? sample = null;
                s.BeginObject();
                while (s.NextMember(out string name))
                {
                    switch (name)
                    {
                        case "metric": labels = s.ReadLabelSet(labelScratch); break;
                        case "value": sample = s.ReadSample(); break;
                        default: s.SkipValue(); break;
                    }
                }
                if (sample.HasValue) samples.Add(new PrometheusVectorSample(labels, sample.Value));
                else skippedHistograms++;
            }
            return new PrometheusQueryResult(PrometheusResultType.Vector) { Vector = samples, SkippedHistogramSeries = skippedHistograms };
        }

        private static PrometheusQueryResult ReadMatrix(JsonScanner s)
        {
            var labelScratch = new List<KeyValuePair<string, string>>();
            var sampleScratch = new PrometheusSample[256];
            var series = new List<PrometheusRangeSeries>();
            int skippedHistograms = 0;
            s.BeginArray();
            while (s.NextElement())
            {
                LabelSet labels = LabelSet.Empty;
                PrometheusSample[]? samples = null;
                s.BeginObject();
                while (s.NextMember(out string name))
                {
                    switch (name)
                    {
                        case "metric": labels = s.ReadLabelSet(labelScratch); break;
                        case "values": samples = s.ReadSampleArray(ref sampleScratch); break;
                        default: s.SkipValue(); break;
                    }
                }
                if (samples != null) series.Add(new PrometheusRangeSeries(labels, samples));
                else skippedHistograms++;
            }
            return new PrometheusQueryResult(PrometheusResultType.Matrix) { Matrix = series, SkippedHistogramSeries = skippedHistograms };
        }

        public static List<LabelSet> ReadLabelSetArray(JsonScanner s)
        {
            var scratch = new List<KeyValuePair<string, string>>();
            var list = new List<LabelSet>();
            s.BeginArray();
            while (s.NextElement()) list.Add(s.ReadLabelSet(scratch));
            return list;
        }

        public static List<string> ReadStrings(JsonScanner s) => s.ReadStringArray();

        public static List<PrometheusTarget> ReadActiveTargets(JsonScanner s)
        {
            var targets = new List<PrometheusTarget>();
            var scratch = new List<KeyValuePair<string, string>>();
            s.BeginObject();
            while (s.NextMember(out string name))
            {
                if (name != "activeTargets" || s.PeekSignificant() == (byte)'n')
                {
                    s.SkipValue();
                    continue;
                }
                s.BeginArray();
                while (s.NextElement())
                {
                    var target = new PrometheusTarget();
                    s.BeginObject();
                    while (s.NextMember(out string field))
                    {
                        switch (field)
                        {
                            case "labels": target.Labels = s.ReadLabelSet(scratch); break;
                            case "discoveredLabels": target.DiscoveredLabels = s.ReadLabelSet(scratch); break;
                            case "scrapePool": target.ScrapePool = s.ReadString(); break;
                            case "scrapeUrl": target.ScrapeUrl = s.ReadString(); break;
                            case "globalUrl": target.GlobalUrl = s.ReadString(); break;
                            case "lastError": target.LastError = s.ReadStringOrNull() ?? string.Empty; break;
                            case "lastScrape": target.LastScrape = ReadTime(s); break;
                            case "lastScrapeDuration": target.ScrapeDuration = Seconds(s.ReadNumber()); break;
                            case "health": target.Health = ParseHealth(s.ReadString()); break;
                            case "scrapeInterval": target.ScrapeInterval = ReadDuration(s); break;
                            case "scrapeTimeout": target.ScrapeTimeout = ReadDuration(s); break;
                            default: s.SkipValue(); break;
                        }
                    }
                    targets.Add(target);
                }
            }
            return targets;
        }

        public static List<PrometheusRuleGroup> ReadRuleGroups(JsonScanner s)
        {
            var groups = new List<PrometheusRuleGroup>();
            var scratch = new List<KeyValuePair<string, string>>();
            s.BeginObject();
            while (s.NextMember(out string name))
            {
                if (name != "groups" || s.PeekSignificant() == (byte)'n')
                {
                    s.SkipValue();
                    continue;
                }
                s.BeginArray();
                while (s.NextElement())
                {
                    var group = new PrometheusRuleGroup();
                    s.BeginObject();
                    while (s.NextMember(out string field))
                    {
                        switch (field)
                        {
                            case "name": group.Name = s.ReadString(); break;
                            case "file": group.File = s.ReadString(); break;
                            case "interval": group.Interval = Seconds(s.ReadNumber()); break;
                            case "evaluationTime": group.EvaluationTime = Seconds(s.ReadNumber()); break;
                            case "lastEvaluation": group.LastEvaluation = ReadTime(s); break;
                            case "rules": group.Rules = ReadRules(s, scratch); break;
                            default: s.SkipValue(); break;
                        }
                    }
                    groups.Add(group);
                }
            }
            return groups;
        }

        private static List<PrometheusRule> ReadRules(JsonScanner s, List<KeyValuePair<string, string>> scratch)
        {
            var rules = new List<PrometheusRule>();
            s.BeginArray();
            while (s.NextElement())
            {
                var rule = new PrometheusRule();
                s.BeginObject();
                while (s.NextMember(out string field))
                {
                    switch (field)
                    {
                        case "type": rule.Type = s.ReadString(); break;
                        case "name": rule.Name = s.ReadString(); break;
                        case "query": rule.Query = s.ReadString(); break;
                        case "health": rule.Health = s.ReadString(); break;
                        case "lastError": rule.LastError = s.ReadStringOrNull() ?? string.Empty; break;
                        case "state": rule.State = s.ReadString(); break;
                        case "duration": rule.Duration = Seconds(s.ReadNumber()); break;
                        case "evaluationTime": rule.EvaluationTime = Seconds(s.ReadNumber()); break;
                        case "lastEvaluation": rule.LastEvaluation = ReadTime(s); break;
                        case "labels": rule.Labels = ReadOptionalLabels(s, scratch); break;
                        case "annotations": rule.Annotations = ReadOptionalLabels(s, scratch); break;
                        default: s.SkipValue(); break;
                    }
                }
                rules.Add(rule);
            }
            return rules;
        }

        public static PrometheusBuildInfo ReadBuildInfo(JsonScanner s)
        {
            var info = new PrometheusBuildInfo();
            s.BeginObject();
            while (s.NextMember(out string name))
            {
                switch (name)
                {
                    case "version": info.Version = s.ReadString(); break;
                    case "revision": info.Revision = s.ReadString(); break;
                    case "branch": info.Branch = s.ReadString(); break;
                    case "buildUser": info.BuildUser = s.ReadString(); break;
                    case "buildDate": info.BuildDate = s.ReadString(); break;
                    case "goVersion": info.GoVersion = s.ReadString(); break;
                    default: s.SkipValue(); break;
                }
            }
            return info;
        }

        public static PrometheusRuntimeInfo ReadRuntimeInfo(JsonScanner s)
        {
            var info = new PrometheusRuntimeInfo();
            s.BeginObject();
            while (s.NextMember(out string name))
            {
                switch (name)
                {
                    case "startTime": info.StartTime = ReadTime(s); break;
                    case "reloadConfigSuccess": info.ReloadConfigSuccess = s.ReadBoolean(); break;
                    case "lastConfigTime": info.LastConfigTime = ReadTime(s); break;
                    case "corruptionCount": info.CorruptionCount = (long)s.ReadNumber(); break;
                    case "goroutineCount": info.GoroutineCount = (long)s.ReadNumber(); break;
                    case "storageRetention": info.StorageRetention = s.ReadString(); break;
                    default: s.SkipValue(); break;
                }
            }
            return info;
        }

        public static string ReadConfigYaml(JsonScanner s)
        {
            string yaml = string.Empty;
            s.BeginObject();
            while (s.NextMember(out string name))
            {
                if (name == "yaml") yaml = s.ReadString();
                else s.SkipValue();
            }
            return yaml;
        }

        private static LabelSet ReadOptionalLabels(JsonScanner s, List<KeyValuePair<string, string>> scratch)
        {
            if (s.PeekSignificant() != (byte)'n') return s.ReadLabelSet(scratch);
            s.SkipValue();
            return LabelSet.Empty;
        }

        private static TargetHealth ParseHealth(string health)
        {
            switch (health)
            {
                case "up": return TargetHealth.Up;
                case "down": return TargetHealth.Down;
                default: return TargetHealth.Unknown;
            }
        }

        private static TimeSpan Seconds(double seconds) =>
            double.IsNaN(seconds) || double.IsInfinity(seconds) ? TimeSpan.Zero : TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));

        private static TimeSpan? ReadDuration(JsonScanner s)
        {
            string? text = s.ReadStringOrNull();
            return text != null && PrometheusDuration.TryParse(text, out var duration) ? duration : (TimeSpan?)null;
        }

        // Go's zero time ("0001-01-01T00:00:00Z") means "never".
        private static DateTimeOffset? ReadTime(JsonScanner s)
        {
            string? text = s.ReadStringOrNull();
            if (text == null) return null;
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
                throw new JsonScanException($"Invalid time '{text}'", s.Position);
            return time.Year <= 1 ? (DateTimeOffset?)null : time.ToUniversalTime();
        }
    }
}
