using System;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Duri.Ops.Completers
{
    /// <summary>
    /// Completes job names from the server, so that a runbook check names jobs that exist rather than ones
    /// remembered from the scrape config. -Job takes wildcards, so a name that holds wildcard characters is
    /// escaped to still match only itself; -ExpectedJob compares names exactly and gets them as they are.
    /// </summary>
    public sealed class JobNameCompleter : LabelValueCompleter
    {
        public JobNameCompleter()
            : base("job")
        {
        }

        protected override bool TryPrepare(string parameterName, string wordToComplete, CommandAst commandAst, out string prefix, out Func<string, string> completionText)
        {
            prefix = PowerShellQuoting.Unquote(wordToComplete, out var quote);
            bool wildcards = string.Equals(parameterName, "Job", StringComparison.OrdinalIgnoreCase);
            completionText = job => PowerShellQuoting.Quote(wildcards ? WildcardPattern.Escape(job) : job, quote);
            return true;
        }
    }
}
