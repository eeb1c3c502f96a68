using System;

namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>A number: <c>1</c>, <c>-2.5e3</c>, <c>0x1f</c>, <c>Inf</c>, <c>NaN</c>. A sign written before a literal is folded into it.</summary>
    public sealed class NumberLiteral : Expr
    {
        public NumberLiteral(double value)
            : base(1)
        {
            Value = value;
        }

        public double Value { get; }

        public override ValueType Type => ValueType.Scalar;

        internal override int ChildCount => 0;

        internal override Expr Child(int index) => throw new ArgumentOutOfRangeException(nameof(index));

        public override bool Equals(object? obj) => obj is NumberLiteral other && Structural.SameNumber(Value, other.Value);

        public override int GetHashCode() => Structural.NumberHash(Value);
    }

    /// <summary>A string, with escapes resolved. Byte escapes that do not form UTF-8 become U+FFFD.</summary>
    public sealed class StringLiteral : Expr
    {
        public StringLiteral(string value)
            : base(1)
        {
            Value = value ?? throw new ArgumentNullException(nameof(value));
        }

        public string Value { get; }

        public override ValueType Type => ValueType.String;

        internal override int ChildCount => 0;

        internal override Expr Child(int index) => throw new ArgumentOutOfRangeException(nameof(index));

        public override bool Equals(object? obj) => obj is StringLiteral other && string.Equals(Value, other.Value, StringComparison.Ordinal);

        public override int GetHashCode() => Structural.StringHash(Value);
    }
}
