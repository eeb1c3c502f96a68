using System;

namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>A PromQL expression that Prometheus would not accept, with where and why.</summary>
    public sealed class PromQLParseException : Exception
    {
        public PromQLParseException(SourcePosition position, string problem)
            : base(position + ": " + problem)
        {
            Position = position;
            Problem = problem;
        }

        public SourcePosition Position { get; }

        /// <summary>The message without the position, in Prometheus' wording where it has one.</summary>
        public string Problem { get; }
    }
}
