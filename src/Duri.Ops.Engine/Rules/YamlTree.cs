using System;
using System.Collections.Generic;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Duri.Ops.Engine.Rules
{
    internal enum YamlKind
    {
        Scalar,
        Mapping,
        Sequence,
    }

    /// <summary>A YAML node with its position; lighter than YamlDotNet's representation model, which the linter outgrew.</summary>
    internal sealed class YamlTreeNode
    {
        private static readonly List<KeyValuePair<YamlTreeNode, YamlTreeNode>> NoPairs = new List<KeyValuePair<YamlTreeNode, YamlTreeNode>>();
        private static readonly List<YamlTreeNode> NoItems = new List<YamlTreeNode>();

        public YamlTreeNode(YamlKind kind, Mark start)
        {
            Kind = kind;
            Line = (int)start.Line;
            Column = (int)start.Column;
            if (kind == YamlKind.Mapping) Pairs = new List<KeyValuePair<YamlTreeNode, YamlTreeNode>>();
            else if (kind == YamlKind.Sequence) Items = new List<YamlTreeNode>();
        }

        public YamlKind Kind { get; }

        public int Line { get; }

        public int Column { get; }

        public string? Value { get; set; }

        public ScalarStyle Style { get; set; }

        public List<KeyValuePair<YamlTreeNode, YamlTreeNode>> Pairs { get; } = NoPairs;

        public List<YamlTreeNode> Items { get; } = NoItems;

        public bool IsNull => Kind == YamlKind.Scalar && Style == ScalarStyle.Plain && (string.IsNullOrEmpty(Value) || Value == "~" || Value == "null");

        /// <summary>The scalar's text, or null for anything else (and for YAML null).</summary>
        public string? Text => Kind == YamlKind.Scalar && !IsNull ? Value : null;

        public YamlTreeNode? this[string key]
        {
            get
            {
                foreach (var pair in Pairs)
                {
                    if (pair.Key.Kind == YamlKind.Scalar && pair.Key.Value == key) return pair.Value;
                }
                return null;
            }
        }

        public string KeyText => Kind == YamlKind.Scalar ? Value ?? string.Empty : "(" + Kind.ToString().ToLowerInvariant() + ")";
    }

    /// <summary>Builds <see cref="YamlTreeNode"/>s from YamlDotNet's parser events. Aliases share the anchored node, never copy it.</summary>
    internal static class YamlTree
    {
        /// <summary>The documents of <paramref name="text"/>.</summary>
        /// <exception cref="YamlException">The text is not YAML.</exception>
        public static List<YamlTreeNode> Parse(string text)
        {
            var parser = new Parser(new StringReader(text));
            var anchors = new Dictionary<string, YamlTreeNode>(StringComparer.Ordinal);
            var documents = new List<YamlTreeNode>();
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out _))
            {
                anchors.Clear();
                documents.Add(ReadNode(parser, anchors));
                parser.Consume<DocumentEnd>();
            }
            parser.Consume<StreamEnd>();
            return documents;
        }

        private static YamlTreeNode ReadNode(IParser parser, Dictionary<string, YamlTreeNode> anchors)
        {
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                if (!anchors.TryGetValue(alias.Value.Value, out var target))
                    throw new YamlException(alias.Start, alias.End, $"The alias *{alias.Value.Value} names no anchor defined before it.");
                return target;
            }
            if (parser.TryConsume<Scalar>(out var scalar))
            {
                var node = new YamlTreeNode(YamlKind.Scalar, scalar.Start) { Value = scalar.Value, Style = scalar.Style };
                Anchor(anchors, scalar.Anchor, node);
                return node;
            }
            if (parser.TryConsume<SequenceStart>(out var sequenceStart))
            {
                var node = new YamlTreeNode(YamlKind.Sequence, sequenceStart.Start);
                Anchor(anchors, sequenceStart.Anchor, node);
                while (!parser.TryConsume<SequenceEnd>(out _)) node.Items.Add(ReadNode(parser, anchors));
                return node;
            }
            var mappingStart = parser.Consume<MappingStart>();
            var mapping = new YamlTreeNode(YamlKind.Mapping, mappingStart.Start);
            Anchor(anchors, mappingStart.Anchor, mapping);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = ReadNode(parser, anchors);
                var value = ReadNode(parser, anchors);
                mapping.Pairs.Add(new KeyValuePair<YamlTreeNode, YamlTreeNode>(key, value));
            }
            return mapping;
        }

        private static void Anchor(Dictionary<string, YamlTreeNode> anchors, AnchorName anchor, YamlTreeNode node)
        {
            if (!anchor.IsEmpty) anchors[anchor.Value] = node;
        }
    }
}
