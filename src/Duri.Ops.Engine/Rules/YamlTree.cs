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

    /// <summary>
    /// Builds <see cref="YamlTreeNode"/>s from YamlDotNet's parser events a node at a time, so that a caller can step
    /// through a large document and let each piece go once read. Aliases share the anchored node, never copy it.
    /// Every member throws <see cref="YamlException"/> where the text is not YAML.
    /// </summary>
    internal sealed class YamlTreeReader
    {
        private readonly Parser _parser;
        private readonly Dictionary<string, YamlTreeNode> _anchors = new Dictionary<string, YamlTreeNode>(StringComparer.Ordinal);

        public YamlTreeReader(string text)
        {
            _parser = new Parser(new StringReader(text));
            _parser.Consume<StreamStart>();
        }

        /// <summary>Steps into the next document; false after the last one.</summary>
        public bool StartDocument()
        {
            if (!_parser.TryConsume<DocumentStart>(out _))
            {
                _parser.Consume<StreamEnd>();
                return false;
            }
            _anchors.Clear();
            return true;
        }

        /// <summary>Steps out of the document, after its root node has been read.</summary>
        public void EndDocument() => _parser.Consume<DocumentEnd>();

        /// <summary>
        /// Steps into the mapping that comes next, to read its keys and values one by one. False, stepping nowhere,
        /// for anything else, and for an anchored mapping, which an alias may need whole later.
        /// </summary>
        public bool TryStartMapping()
        {
            if (!_parser.Accept<MappingStart>(out var mapping) || !mapping.Anchor.IsEmpty) return false;
            _parser.MoveNext();
            return true;
        }

        /// <summary>True, having stepped out of it, at the end of the mapping stepped into.</summary>
        public bool TryEndMapping() => _parser.TryConsume<MappingEnd>(out _);

        /// <summary>As <see cref="TryStartMapping"/>, for a sequence.</summary>
        public bool TryStartSequence()
        {
            if (!_parser.Accept<SequenceStart>(out var sequence) || !sequence.Anchor.IsEmpty) return false;
            _parser.MoveNext();
            return true;
        }

        /// <summary>The items of the sequence stepped into, each read as it is asked for; the sequence's end is consumed after the last.</summary>
        public IEnumerable<YamlTreeNode> ReadItems()
        {
            while (!_parser.TryConsume<SequenceEnd>(out _)) yield return ReadNode();
        }

        /// <summary>The next node, whole.</summary>
        public YamlTreeNode ReadNode()
        {
            if (_parser.TryConsume<AnchorAlias>(out var alias))
            {
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                    throw new YamlException(alias.Start, alias.End, $"The alias *{alias.Value.Value} names no anchor defined before it.");
                return target;
            }
            if (_parser.TryConsume<Scalar>(out var scalar))
            {
                var node = new YamlTreeNode(YamlKind.Scalar, scalar.Start) { Value = scalar.Value, Style = scalar.Style };
                Anchor(scalar.Anchor, node);
                return node;
            }
            if (_parser.TryConsume<SequenceStart>(out var sequenceStart))
            {
                var node = new YamlTreeNode(YamlKind.Sequence, sequenceStart.Start);
                Anchor(sequenceStart.Anchor, node);
                while (!_parser.TryConsume<SequenceEnd>(out _)) node.Items.Add(ReadNode());
                return node;
            }
            var mappingStart = _parser.Consume<MappingStart>();
            var mapping = new YamlTreeNode(YamlKind.Mapping, mappingStart.Start);
            Anchor(mappingStart.Anchor, mapping);
            while (!_parser.TryConsume<MappingEnd>(out _))
            {
                var key = ReadNode();
                var value = ReadNode();
                mapping.Pairs.Add(new KeyValuePair<YamlTreeNode, YamlTreeNode>(key, value));
            }
            return mapping;
        }

        private void Anchor(AnchorName anchor, YamlTreeNode node)
        {
            if (!anchor.IsEmpty) _anchors[anchor.Value] = node;
        }
    }

    /// <summary>Small YAML files (a gate policy) read whole; large ones step through <see cref="YamlTreeReader"/>.</summary>
    internal static class YamlTree
    {
        /// <summary>Every document of the text, each read whole.</summary>
        /// <exception cref="YamlException">The text is not YAML.</exception>
        public static List<YamlTreeNode> Parse(string text)
        {
            var reader = new YamlTreeReader(text);
            var documents = new List<YamlTreeNode>();
            while (reader.StartDocument())
            {
                documents.Add(reader.ReadNode());
                reader.EndDocument();
            }
            return documents;
        }
    }
}
