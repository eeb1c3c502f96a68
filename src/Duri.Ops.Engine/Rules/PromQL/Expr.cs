using System.Collections.Generic;

namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>
    /// A node of a PromQL syntax tree. Trees are immutable; <see cref="object.Equals(object)"/> compares structure
    /// and ignores positions; <see cref="ToString"/> prints PromQL that parses back to an equal tree.
    /// </summary>
    public abstract class Expr
    {
        private protected Expr(int depth)
        {
            Depth = depth;
        }

        /// <summary>Where the node starts in the parsed text; the default position for trees built in code.</summary>
        public SourcePosition Position { get; private set; }

        /// <summary>The 0-based offset just past the node's last character in the parsed text.</summary>
        public int EndOffset { get; private set; }

        public abstract ValueType Type { get; }

        /// <summary>The direct sub-expressions, in source order.</summary>
        public abstract IEnumerable<Expr> Children { get; }

        /// <summary>Longest path from this node to a leaf, counting both ends; bounds every recursion over the tree.</summary>
        internal int Depth { get; }

        /// <summary>This node and every node below it, parents before children, in source order.</summary>
        public IEnumerable<Expr> DescendantsAndSelf()
        {
            var pending = new Stack<Expr>();
            pending.Push(this);
            var reversed = new List<Expr>();
            while (pending.Count > 0)
            {
                var node = pending.Pop();
                yield return node;
                reversed.Clear();
                reversed.AddRange(node.Children);
                for (int i = reversed.Count - 1; i >= 0; i--) pending.Push(reversed[i]);
            }
        }

        /// <summary>Canonical PromQL for the tree.</summary>
        public override string ToString() => PromQLPrinter.Print(this);

        public abstract override bool Equals(object? obj);

        public abstract override int GetHashCode();

        internal static int DepthOf(params Expr?[] children) => DepthOf((IEnumerable<Expr?>)children);

        internal static int DepthOf(IEnumerable<Expr?> children)
        {
            int max = 0;
            foreach (var child in children)
            {
                if (child != null && child.Depth > max) max = child.Depth;
            }
            return max + 1;
        }

        /// <summary>Records where the parser found the node; only the parser calls it, before the node is shared.</summary>
        internal T Located<T>(SourcePosition position, int endOffset) where T : Expr
        {
            Position = position;
            EndOffset = endOffset;
            return (T)this;
        }
    }
}
