using System.IO;
using System.Linq;
using Duri.Ops.Engine.Rules;
using Xunit;

namespace Duri.Ops.Engine.Tests.Rules
{
    public class ConfigCheckerTests
    {
        [Fact]
        public void GlobsResolveLikePrometheusRuleFiles()
        {
            var root = Directory.CreateTempSubdirectory("duri-glob-").FullName;
            try
            {
                Directory.CreateDirectory(Path.Combine(root, "rules", "team-a"));
                Directory.CreateDirectory(Path.Combine(root, "rules", "team-b"));
                foreach (var file in new[] { "rules/a.yml", "rules/b.yaml", "rules/team-a/x.yml", "rules/team-b/y.yml", "rules/team-b/z.txt" })
                    File.WriteAllText(Path.Combine(root, file), "groups: []\n");
                string Relative(string p) => Path.GetRelativePath(root, p).Replace('\\', '/');
                Assert.Equal(new[] { "rules/a.yml" }, ConfigChecker.Glob(root, "rules/*.yml").Select(Relative));
                Assert.Equal(new[] { "rules/team-a/x.yml", "rules/team-b/y.yml" }, ConfigChecker.Glob(root, "rules/team-?/*.yml").Select(Relative));
                Assert.Equal(new[] { "rules/b.yaml" }, ConfigChecker.Glob(root, "rules/b.yaml").Select(Relative));
                Assert.Empty(ConfigChecker.Glob(root, "missing/*.yml"));
                Assert.Equal(new[] { "rules/a.yml" }, ConfigChecker.Glob(root, Path.Combine(root, "rules", "a.yml")).Select(Relative));
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
