using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Duri.Ops.Engine.Rules.PromQL
{
    public enum MatchType
    {
        /// <summary><c>=</c></summary>
        Equal,

        /// <summary><c>!=</c></summary>
        NotEqual,

        /// <summary><c>=~</c>, fully anchored RE2.</summary>
        Regex,

        /// <summary><c>!~</c>, fully anchored RE2.</summary>
        NotRegex,
    }

    /// <summary>One <c>name op "value"</c> term between braces.</summary>
    public sealed class LabelMatcher
    {
        public LabelMatcher(string name, MatchType type, string value, SourcePosition position = default)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Type = type;
            Value = value ?? throw new ArgumentNullException(nameof(value));
            Position = position;
        }

        public string Name { get; }

        public MatchType Type { get; }

        public string Value { get; }

        /// <summary>Where the label name starts; not part of equality.</summary>
        public SourcePosition Position { get; }

        public override bool Equals(object? obj) =>
            obj is LabelMatcher other && Type == other.Type
            && string.Equals(Name, other.Name, StringComparison.Ordinal)
            && string.Equals(Value, other.Value, StringComparison.Ordinal);

        public override int GetHashCode() =>
            Structural.Combine(Structural.Combine(Structural.StringHash(Name), (int)Type), Structural.StringHash(Value));

        public override string ToString() => PromQLPrinter.Print(this);
    }

    public enum AtModifierKind
    {
        /// <summary><c>@ 1700000000</c></summary>
        Timestamp,

        /// <summary><c>@ start()</c></summary>
        Start,

        /// <summary><c>@ end()</c></summary>
        End,
    }

    /// <summary>The <c>@</c> modifier: a Unix timestamp in seconds, or the start or end of the evaluated range.</summary>
    public sealed class AtModifier
    {
        public static readonly AtModifier Start = new AtModifier(AtModifierKind.Start, null);

        public static readonly AtModifier End = new AtModifier(AtModifierKind.End, null);

        private AtModifier(AtModifierKind kind, double? timestamp)
        {
            Kind = kind;
            Timestamp = timestamp;
        }

        public static AtModifier At(double timestampSeconds) => new AtModifier(AtModifierKind.Timestamp, timestampSeconds);

        public AtModifierKind Kind { get; }

        /// <summary>Seconds since the Unix epoch when <see cref="Kind"/> is <see cref="AtModifierKind.Timestamp"/>, else null.</summary>
        public double? Timestamp { get; }

        public override bool Equals(object? obj) =>
            obj is AtModifier other && Kind == other.Kind
            && (Timestamp is null ? other.Timestamp is null : other.Timestamp is double t && Structural.SameNumber(Timestamp.Value, t));

        public override int GetHashCode() => Structural.Combine((int)Kind, Timestamp is double t ? Structural.NumberHash(t) : 0);

        public override string ToString() => PromQLPrinter.Print(this);
    }

    /// <summary>An instant vector selector: <c>metric{label="value"} @ t offset d</c>.</summary>
    public sealed class VectorSelector : Expr
    {
        public VectorSelector(string? metricName, IEnumerable<LabelMatcher> matchers, TimeSpan? offset = null, AtModifier? at = null)
            : this(metricName, Structural.Freeze(matchers, nameof(matchers)), offset, at)
        {
        }

        private VectorSelector(string? metricName, IReadOnlyList<LabelMatcher> matchers, TimeSpan? offset, AtModifier? at)
            : base(1)
        {
            MetricName = metricName;
            Matchers = matchers;
            Offset = offset;
            At = at;
        }

        /// <summary>A selector the parser built, with matchers it has already frozen.</summary>
        internal static VectorSelector Parsed(string? metricName, ReadOnlyCollection<LabelMatcher> matchers) =>
            new VectorSelector(metricName, (IReadOnlyList<LabelMatcher>)matchers, null, null);

        /// <summary>The name written before the braces, or null; a <c>__name__</c> matcher inside them stays in <see cref="Matchers"/>.</summary>
        public string? MetricName { get; }

        /// <summary>The matchers between the braces, in source order.</summary>
        public IReadOnlyList<LabelMatcher> Matchers { get; }

        /// <summary>The offset; negative means later in time; null when none was given.</summary>
        public TimeSpan? Offset { get; }

        public AtModifier? At { get; }

        public override ValueType Type => ValueType.InstantVector;

        internal override int ChildCount => 0;

        internal override Expr Child(int index) => throw new ArgumentOutOfRangeException(nameof(index));

        internal VectorSelector With(TimeSpan? offset, AtModifier? at) => new VectorSelector(MetricName, Matchers, offset, at);

        public override bool Equals(object? obj) =>
            obj is VectorSelector other
            && string.Equals(MetricName, other.MetricName, StringComparison.Ordinal)
            && Structural.SameList(Matchers, other.Matchers)
            && Offset == other.Offset
            && Equals(At, other.At);

        public override int GetHashCode() =>
            Structural.Combine(
                Structural.Combine(Structural.ListHash(Structural.StringHash(MetricName), Matchers), Offset.GetHashCode()),
                At?.GetHashCode() ?? 0);
    }

    /// <summary>A range vector selector: <c>metric{...}[5m]</c>; its offset and @ live on <see cref="Selector"/>.</summary>
    public sealed class MatrixSelector : Expr
    {
        public MatrixSelector(VectorSelector selector, TimeSpan range)
            : base(DepthOf(selector))
        {
            Selector = selector ?? throw new ArgumentNullException(nameof(selector));
            Range = range;
        }

        public VectorSelector Selector { get; }

        public TimeSpan Range { get; }

        public override ValueType Type => ValueType.RangeVector;

        internal override int ChildCount => 1;

        internal override Expr Child(int index) => Selector;

        public override bool Equals(object? obj) => obj is MatrixSelector other && Range == other.Range && Selector.Equals(other.Selector);

        public override int GetHashCode() => Structural.Combine(Selector.GetHashCode(), Range.GetHashCode());
    }
}
