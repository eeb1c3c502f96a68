namespace Duri.Ops.Engine.Rules
{
    /// <summary>What Export-DuriRuleFile did with one file.</summary>
    public sealed class ExportedRuleFile
    {
        public ExportedRuleFile(string path, string kind, string status, int bytes)
        {
            Path = path;
            Kind = kind;
            Status = status;
            Bytes = bytes;
        }

        public string Path { get; }

        /// <summary>Rules or Tests.</summary>
        public string Kind { get; }

        /// <summary>Created, Updated or Unchanged.</summary>
        public string Status { get; }

        public int Bytes { get; }
    }
}
