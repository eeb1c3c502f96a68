using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Runs promtool unit tests for rule files and outputs one result per test group.</para>
    /// <para type="description">The runbook's promql-unit step. Runs `promtool test rules` on each test file (directories are searched for *.test.yml), one test group at a time, and outputs one object per group with File, Group, Passed and the Failures (the expression or alert, the time, what was expected and what promtool got). -Quiet returns one boolean: true only when at least one group ran and every group passed. promtool is found through $env:DURI_PROMTOOL or PATH (Debian: apt-get install prometheus).</para>
    /// </summary>
    /// <example>
    /// <code>Invoke-DuriRuleTest -Path ./module/rules/tests</code>
    /// <para>Runs every unit test of the canonical rules and shows which groups passed.</para>
    /// </example>
    /// <example>
    /// <code>Get-ChildItem ./rules -Recurse -Filter *.test.yml | Invoke-DuriRuleTest | Where-Object { -not $_.Passed } | Select-Object -ExpandProperty Failures</code>
    /// <para>Lists every unmet expectation with its expected and actual samples.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "DuriRuleTest")]
    [OutputType(typeof(RuleTestResult), typeof(bool))]
    public sealed class InvokeDuriRuleTestCommand : DuriFileCmdlet
    {
        protected override bool Reads(string file) => FileArguments.IsTestFile(file);

        protected override string NotFoundErrorId => "RuleTestFileNotFound";

        /// <summary><para type="description">Return only $true or $false.</para></summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        private bool _allPassed = true;
        private int _groups;

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveFiles())
            {
                var progress = new ProgressRecord(2, "promtool test rules", file);
                IReadOnlyList<RuleTestResult> results;
                try
                {
                    WriteVerbose($"promtool test rules {file}");
                    results = Await(token => RuleTestRunner.RunAsync(file, token, group => OnPipelineThread(() =>
                    {
                        progress.StatusDescription = group;
                        WriteProgress(progress);
                    })));
                }
                catch (PromtoolMissingException e)
                {
                    ThrowTerminatingError(new ErrorRecord(e, "PromtoolNotFound", ErrorCategory.ObjectNotFound, "promtool"));
                    return;
                }
                catch (InvalidDataException e)
                {
                    _allPassed = false;
                    if (!Quiet) WriteError(new ErrorRecord(e, "RuleTestFileInvalid", ErrorCategory.InvalidData, file));
                    continue;
                }
                finally
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    WriteProgress(progress);
                }
                foreach (var result in results)
                {
                    _groups++;
                    _allPassed &= result.Passed;
                    if (!Quiet) WriteObject(result);
                }
            }
        }

        protected override void EndProcessing()
        {
            if (Quiet) WriteObject(_allPassed && _groups > 0);
        }
    }
}
