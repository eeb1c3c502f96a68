using System;
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
        public IEnumerable<Expr> Children
        {
            get
            {
                for (int i = 0; i < ChildCount; i++) yield return Child(i);
            }
        }

        /// <summary>Longest path from this node to a leaf, counting both ends; bounds every recursion over the tree.</summary>
        internal int Depth { get; }

        internal abstract int ChildCount { get; }

        /// <summary>The direct sub-expression at <paramref name="index"/> (0 to <see cref="ChildCount"/> - 1), in source order.</summary>
        internal abstract Expr Child(int index);

        /// <summary>This node and every node below it, parents before children, in source order.</summary>
        public IEnumerable<Expr> DescendantsAndSelf()
        {
            var nodes = new List<Expr>();
            AddDescendantsAndSelf(nodes, new Stack<Expr>());
            return nodes;
        }

        /// <summary>Appends what <see cref="DescendantsAndSelf"/> gives to <paramref name="nodes"/>, with <paramref name="pending"/> as scratch space that is left empty, so a caller walking many trees can reuse both.</summary>
        internal void AddDescendantsAndSelf(List<Expr> nodes, Stack<Expr> pending)
        {
            pending.Push(this);
            while (pending.Count > 0)
            {
                var node = pending.Pop();
                nodes.Add(node);
                for (int i = node.ChildCount - 1; i >= 0; i--) pending.Push(node.Child(i));
            }
        }

        /// <summary>Canonical PromQL for the tree.</summary>
        public override string ToString() => PromQLPrinter.Print(this);

        public abstract override bool Equals(object? obj);

        public abstract override int GetHashCode();

        internal static int DepthOf(Expr? child) => (child?.Depth ?? 0) + 1;

        internal static int DepthOf(Expr? first, Expr? second) => Math.Max(first?.Depth ?? 0, second?.Depth ?? 0) + 1;

        internal static int DepthOf(IReadOnlyList<Expr> children)
        {
            int max = 0;
            for (int i = 0; i < children.Count; i++)
            {
                if (children[i].Depth > max) max = children[i].Depth;
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
