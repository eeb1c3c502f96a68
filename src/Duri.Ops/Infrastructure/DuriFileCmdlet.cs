using System.Collections.Generic;
using System.Management.Automation;

namespace Duri.Ops.Infrastructure
{
    /// <summary>Base of the cmdlets that read files named by -Path (rule files, their tests): one -Path for all of them.</summary>
    public abstract class DuriFileCmdlet : DuriCmdlet
    {
        /// <summary><para type="description">Files or directories (searched recursively for the files this cmdlet reads); wildcards allowed. Get-ChildItem output binds by its path.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = new string[0];

        /// <summary>Whether a file found in a directory is one this cmdlet reads.</summary>
        protected abstract bool Reads(string file);

        /// <summary>The error id for a path that matches nothing.</summary>
        protected abstract string NotFoundErrorId { get; }

        /// <summary>The files -Path names for the current input object.</summary>
        protected IReadOnlyList<string> ResolveFiles() => FileArguments.Resolve(this, Path, literal: false, Reads, NotFoundErrorId);
    }
}
