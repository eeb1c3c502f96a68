using System;
using System.IO;

namespace Duri.Ops.Tests.Support
{
    public static class RepositoryPaths
    {
        /// <summary>The checkout the tests were built from (the folder holding Duri.Ops.sln).</summary>
        public static string Root
        {
            get
            {
                for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "Duri.Ops.sln"))) return dir.FullName;
                }
                throw new DirectoryNotFoundException("Duri.Ops.sln was not found above " + AppContext.BaseDirectory);
            }
        }

        public static string CanonicalRules => Path.Combine(Root, "module", "rules");
    }
}
