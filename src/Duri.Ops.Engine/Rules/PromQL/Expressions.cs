using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>A subquery: <c>expr[range:step] @ t offset d</c>.</summary>
    public sealed class SubqueryExpr : Expr
    {
        public SubqueryExpr(Expr inner, TimeSpan range, TimeSpan? step = null, TimeSpan? offset = null, AtModifier? at = null)
            : base(DepthOf(inner))
        {
            Inner = inner ?? throw new ArgumentNullException(nameof(inner));
            Range = range;
            Step = step;
            Offset = offset;
            At = at;
        }

        public Expr Inner { get; }

        public TimeSpan Range { get; }

        /// <summary>The resolution after the colon; null for <c>[5m:]</c>.</summary>
        public TimeSpan? Step { get; }

        public TimeSpan? Offset { get; }

        public AtModifier? At { get; }

        public override ValueType Type => ValueType.RangeVector;

        internal override int ChildCount => 1;

        internal override Expr Child(int index) => Inner;

        internal SubqueryExpr With(TimeSpan? offset, AtModifier? at) => new SubqueryExpr(Inner, Range, Step, offset, at);

        public override bool Equals(object? obj) =>
            obj is SubqueryExpr other && Range == other.Range && Step == other.Step && Offset == other.Offset
            && Equals(At, other.At) && Inner.Equals(other.Inner);

        public override int GetHashCode() =>
            Structural.Combine(
                Structural.Combine(Structural.Combine(Structural.Combine(Inner.GetHashCode(), Range.GetHashCode()), Step.GetHashCode()), Offset.GetHashCode()),
                At?.GetHashCode() ?? 0);
    }

    /// <summary>A function call: <c>rate(x[5m])</c>.</summary>
    public sealed class Call : Expr
    {
        public Call(string function, IEnumerable<Expr> arguments)
            : this(function ?? throw new ArgumentNullException(nameof(function)), Known(function), Structural.Freeze(arguments, nameof(arguments)))
        {
        }

        private Call(string function, PromQLFunction? declared, IReadOnlyList<Expr> arguments)
            : base(DepthOf(arguments))
        {
            Function = function;
            Declared = declared;
            Arguments = arguments;
            Type = declared?.ReturnType ?? ValueType.InstantVector;
        }

        /// <summary>A call the parser built: a known function and arguments it has already frozen.</summary>
        internal static Call Parsed(PromQLFunction function, ReadOnlyCollection<Expr> arguments) => new Call(function.Name, function, arguments);

        public string Function { get; }

        /// <summary>The function as Prometheus declares it; null for names it does not know.</summary>
        internal PromQLFunction? Declared { get; }

        public IReadOnlyList<Expr> Arguments { get; }

        /// <summary>The function's return type; instant vector for names Prometheus does not know.</summary>
        public override ValueType Type { get; }

        internal override int ChildCount => Arguments.Count;

        internal override Expr Child(int index) => Arguments[index];

        public override bool Equals(object? obj) =>
            obj is Call other && string.Equals(Function, other.Function, StringComparison.Ordinal) && Structural.SameList(Arguments, other.Arguments);

        public override int GetHashCode() => Structural.ListHash(Structural.StringHash(Function), Arguments);

        private static PromQLFunction? Known(string function) => PromQLFunctions.TryGet(function, out var known) ? known : null;
    }

    /// <summary>An aggregation: <c>sum by (job) (x)</c>, <c>topk(5, x)</c>, <c>count_values without (a) ("v", x)</c>.</summary>
    public sealed class AggregateExpr : Expr
    {
        public AggregateExpr(string @operator, Expr inner, Expr? parameter, IEnumerable<string> grouping, bool without, bool hasGrouping)
            : this(@operator, inner, parameter, Structural.Freeze(grouping, nameof(grouping)), without, hasGrouping)
        {
        }

        private AggregateExpr(string @operator, Expr inner, Expr? parameter, IReadOnlyList<string> grouping, bool without, bool hasGrouping)
            : base(DepthOf(inner, parameter))
        {
            Operator = @operator ?? throw new ArgumentNullException(nameof(@operator));
            Inner = inner ?? throw new ArgumentNullException(nameof(inner));
            Parameter = parameter;
            Grouping = grouping;
            Without = without;
            HasGrouping = hasGrouping || without || Grouping.Count > 0;
        }

        /// <summary>An aggregation the parser built, with grouping labels it has already frozen.</summary>
        internal static AggregateExpr Parsed(string @operator, Expr inner, Expr? parameter, ReadOnlyCollection<string> grouping, bool without, bool hasGrouping) =>
            new AggregateExpr(@operator, inner, parameter, (IReadOnlyList<string>)grouping, without, hasGrouping);

        /// <summary>The aggregation in lower case: <c>sum</c>, <c>topk</c>, <c>count_values</c>...</summary>
        public string Operator { get; }

        public Expr Inner { get; }

        /// <summary>The first argument of topk, bottomk, quantile and count_values; null for the others.</summary>
        public Expr? Parameter { get; }

        public IReadOnlyList<string> Grouping { get; }

        public bool Without { get; }

        /// <summary>Whether a <c>by</c> or <c>without</c> clause was written, so <c>sum by () (x)</c> is told from <c>sum(x)</c>.</summary>
        public bool HasGrouping { get; }

        public override ValueType Type => ValueType.InstantVector;

        internal override int ChildCount => Parameter == null ? 1 : 2;

        internal override Expr Child(int index) => Parameter != null && index == 0 ? Parameter : Inner;

        public override bool Equals(object? obj) =>
            obj is AggregateExpr other && string.Equals(Operator, other.Operator, StringComparison.Ordinal)
            && Without == other.Without && HasGrouping == other.HasGrouping
            && Structural.SameList(Grouping, other.Grouping)
            && Equals(Parameter, other.Parameter) && Inner.Equals(other.Inner);

        public override int GetHashCode() =>
            Structural.Combine(
                Structural.ListHash(Structural.Combine(Structural.StringHash(Operator), Inner.GetHashCode()), Grouping),
                (Without ? 2 : 0) + (HasGrouping ? 1 : 0) + (Parameter?.GetHashCode() ?? 0));
    }

    /// <summary>How a binary operation between two instant vectors pairs their elements.</summary>
    public sealed class VectorMatching
    {
        public const string OneToOne = "one-to-one";
        public const string ManyToOne = "many-to-one";
        public const string OneToMany = "one-to-many";
        public const string ManyToMany = "many-to-many";

        /// <summary>No <c>on</c>, <c>ignoring</c> or group modifier: what most binary operations carry, shared since it is immutable.</summary>
        internal static readonly VectorMatching Plain = new VectorMatching(OneToOne, Structural.EmptyList<string>.Instance, false, Structural.EmptyList<string>.Instance);

        public VectorMatching(string cardinality, IEnumerable<string> matchingLabels, bool on, IEnumerable<string> include)
            : this(cardinality, Structural.Freeze(matchingLabels, nameof(matchingLabels)), on, Structural.Freeze(include, nameof(include)))
        {
        }

        private VectorMatching(string cardinality, IReadOnlyList<string> matchingLabels, bool on, IReadOnlyList<string> include)
        {
            if (cardinality != OneToOne && cardinality != ManyToOne && cardinality != OneToMany && cardinality != ManyToMany)
                throw new ArgumentException("Use one-to-one, many-to-one, one-to-many or many-to-many.", nameof(cardinality));
            Cardinality = cardinality;
            MatchingLabels = matchingLabels;
            On = on;
            Include = include;
        }

        /// <summary>A matching whose label lists are already frozen (by the parser, or taken from another matching).</summary>
        internal static VectorMatching Parsed(string cardinality, ReadOnlyCollection<string> matchingLabels, bool on, ReadOnlyCollection<string> include) =>
            new VectorMatching(cardinality, (IReadOnlyList<string>)matchingLabels, on, include);

        /// <summary>This matching with another cardinality, sharing the label lists.</summary>
        internal VectorMatching WithCardinality(string cardinality) => new VectorMatching(cardinality, MatchingLabels, On, Include);

        /// <summary>many-to-one for group_left, one-to-many for group_right, many-to-many for and/or/unless, else one-to-one.</summary>
        public string Cardinality { get; }

        /// <summary>The labels of <c>on (...)</c> or <c>ignoring (...)</c>.</summary>
        public IReadOnlyList<string> MatchingLabels { get; }

        /// <summary>True for <c>on</c>, false for <c>ignoring</c> or no clause.</summary>
        public bool On { get; }

        /// <summary>The labels of <c>group_left (...)</c> or <c>group_right (...)</c>.</summary>
        public IReadOnlyList<string> Include { get; }

        public override bool Equals(object? obj) =>
            obj is VectorMatching other && Cardinality == other.Cardinality && On == other.On
            && Structural.SameList(MatchingLabels, other.MatchingLabels) && Structural.SameList(Include, other.Include);

        public override int GetHashCode() =>
            Structural.ListHash(Structural.ListHash(Structural.Combine(Structural.StringHash(Cardinality), On ? 1 : 0), MatchingLabels), Include);
    }

    /// <summary>
    /// A binary operation. <see cref="Matching"/> is set when both sides are instant vectors and null when either is a scalar,
    /// as Prometheus does.
    /// </summary>
    public sealed class BinaryExpr : Expr
    {
        public BinaryExpr(string @operator, Expr left, Expr right, bool returnBool = false, VectorMatching? matching = null)
            : base(DepthOf(left, right))
        {
            Operator = @operator ?? throw new ArgumentNullException(nameof(@operator));
            Left = left ?? throw new ArgumentNullException(nameof(left));
            Right = right ?? throw new ArgumentNullException(nameof(right));
            ReturnBool = returnBool;
            Matching = matching;
            Type = left.Type == ValueType.Scalar && right.Type == ValueType.Scalar ? ValueType.Scalar : ValueType.InstantVector;
        }

        /// <summary>One of + - * / % ^ == != &gt; &lt; &gt;= &lt;= and or unless atan2.</summary>
        public string Operator { get; }

        public Expr Left { get; }

        public Expr Right { get; }

        public bool ReturnBool { get; }

        public VectorMatching? Matching { get; }

        public override ValueType Type { get; }

        internal override int ChildCount => 2;

        internal override Expr Child(int index) => index == 0 ? Left : Right;

        public override bool Equals(object? obj) =>
            obj is BinaryExpr other && string.Equals(Operator, other.Operator, StringComparison.Ordinal)
            && ReturnBool == other.ReturnBool && Equals(Matching, other.Matching)
            && Left.Equals(other.Left) && Right.Equals(other.Right);

        public override int GetHashCode() =>
            Structural.Combine(
                Structural.Combine(Structural.Combine(Structural.StringHash(Operator), Left.GetHashCode()), Right.GetHashCode()),
                (ReturnBool ? 1 : 0) + (Matching?.GetHashCode() ?? 0));
    }

    /// <summary>A sign before an expression that is not a number literal: <c>-rate(x[5m])</c>.</summary>
    public sealed class UnaryExpr : Expr
    {
        public UnaryExpr(string @operator, Expr inner)
            : base(DepthOf(inner))
        {
            if (@operator != "-" && @operator != "+") throw new ArgumentException("A unary operator is + or -.", nameof(@operator));
            Operator = @operator;
            Inner = inner ?? throw new ArgumentNullException(nameof(inner));
            Type = inner.Type;
        }

        public string Operator { get; }

        public Expr Inner { get; }

        public override ValueType Type { get; }

        internal override int ChildCount => 1;

        internal override Expr Child(int index) => Inner;

        public override bool Equals(object? obj) => obj is UnaryExpr other && Operator == other.Operator && Inner.Equals(other.Inner);

        public override int GetHashCode() => Structural.Combine(Structural.StringHash(Operator), Inner.GetHashCode());
    }

    /// <summary>Parentheses, kept so that printing preserves the written grouping.</summary>
    public sealed class ParenExpr : Expr
    {
        public ParenExpr(Expr inner)
            : base(DepthOf(inner))
        {
            Inner = inner ?? throw new ArgumentNullException(nameof(inner));
            Type = inner.Type;
        }

        public Expr Inner { get; }

        public override ValueType Type { get; }

        /// <summary><paramref name="expr"/> without the parentheses around it, however many.</summary>
        public static Expr Unwrap(Expr expr)
        {
            while (expr is ParenExpr paren) expr = paren.Inner;
            return expr;
        }

        internal override int ChildCount => 1;

        internal override Expr Child(int index) => Inner;

        public override bool Equals(object? obj) => obj is ParenExpr other && Inner.Equals(other.Inner);

        public override int GetHashCode() => Structural.Combine(17, Inner.GetHashCode());
    }
}
