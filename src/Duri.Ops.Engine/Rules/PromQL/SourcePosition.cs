using System;
using System.Globalization;

namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>A place in a PromQL expression: 0-based offset, 1-based line and column (columns count UTF-16 code units).</summary>
    public readonly struct SourcePosition : IEquatable<SourcePosition>
    {
        public SourcePosition(int offset, int line, int column)
        {
            Offset = offset;
            Line = line;
            Column = column;
        }

        public int Offset { get; }

        public int Line { get; }

        public int Column { get; }

        /// <summary>The position of <paramref name="offset"/> in <paramref name="text"/>; offsets past the end are clamped to it.</summary>
        public static SourcePosition FromOffset(string text, int offset)
        {
            if (text is null) throw new ArgumentNullException(nameof(text));
            offset = Math.Max(0, Math.Min(offset, text.Length));
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < offset; i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                    lineStart = i + 1;
                }
            }
            return new SourcePosition(offset, line, offset - lineStart + 1);
        }

        public bool Equals(SourcePosition other) => Offset == other.Offset && Line == other.Line && Column == other.Column;

        public override bool Equals(object? obj) => obj is SourcePosition other && Equals(other);

        public override int GetHashCode() => unchecked((Offset * 397) ^ (Line * 31) ^ Column);

        public static bool operator ==(SourcePosition left, SourcePosition right) => left.Equals(right);

        public static bool operator !=(SourcePosition left, SourcePosition right) => !left.Equals(right);

        public override string ToString() => Line.ToString(CultureInfo.InvariantCulture) + ":" + Column.ToString(CultureInfo.InvariantCulture);
    }
}
