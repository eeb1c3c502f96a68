using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>
    /// Parses PromQL as Prometheus 2.42 does, including the type checks it makes before accepting an expression
    /// (promtool check rules rejects exactly what <see cref="Parse"/> rejects, up to the nesting cap <see cref="MaxDepth"/>).
    /// </summary>
    public static class PromQLParser
    {
        /// <summary>How deeply expressions may nest; Prometheus has no limit, but a recursive parser needs one.</summary>
        public const int MaxDepth = 1000;

        /// <exception cref="PromQLParseException">The expression is not valid PromQL.</exception>
        public static Expr Parse(string expression)
        {
            if (expression is null) throw new ArgumentNullException(nameof(expression));
            // Rule files hold thousands of expressions: each thread keeps a parser, with its lexer and lists, for the next.
            var parser = _idleParser ?? new Parser();
            _idleParser = null;
            parser.Reset(expression);
            try
            {
                return parser.ParseExpression();
            }
            catch (InsufficientExecutionStackException)
            {
                throw parser.Error(0, "expression nests too deeply");
            }
            finally
            {
                parser.Reset(string.Empty);
                _idleParser = parser;
            }
        }

        [ThreadStatic]
        private static Parser? _idleParser;

        public static bool TryParse(string expression, out Expr? expr, out PromQLParseException? error)
        {
            try
            {
                expr = Parse(expression);
                error = null;
                return true;
            }
            catch (PromQLParseException e)
            {
                expr = null;
                error = e;
                return false;
            }
        }
    }

    /// <summary>Parses one expression after another, each after a <see cref="Reset"/>.</summary>
    internal sealed class Parser
    {
        private const int OrPrecedence = 1;
        private const int PowPrecedence = 6;

        // What one odd expression may leave each list holding on to between parses.
        private const int KeptCapacity = 256;

        private readonly Lexer _lexer = new Lexer();

        // Empty for the usual one-line expression.
        private readonly List<int> _lineStarts = new List<int>();

        // Lists under construction, used as stacks: a nested call or grouping pushes above its caller's items and
        // takes its own off before returning, so each finished list is copied once, at its exact size.
        private readonly List<Expr> _pendingArguments = new List<Expr>();
        private readonly List<string> _pendingLabels = new List<string>();
        private readonly List<LabelMatcher> _pendingMatchers = new List<LabelMatcher>();

        private string _input = string.Empty;
        private Token _peeked;
        private bool _hasPeeked;
        private int _depth;

        /// <summary>Starts over on <paramref name="input"/>, letting go of everything the last expression left.</summary>
        public void Reset(string input)
        {
            _input = input;
            _lexer.Reset(input);
            _peeked = default;
            _hasPeeked = false;
            _depth = 0;
            Empty(_pendingArguments);
            Empty(_pendingLabels);
            Empty(_pendingMatchers);
            Empty(_lineStarts);
            int newline = input.IndexOf('\n');
            if (newline < 0) return;
            _lineStarts.Add(0);
            for (int i = newline; i < input.Length; i++)
            {
                if (input[i] == '\n') _lineStarts.Add(i + 1);
            }
        }

        private static void Empty<T>(List<T> list)
        {
            list.Clear();
            if (list.Capacity > KeptCapacity) list.Capacity = KeptCapacity;
        }

        public Expr ParseExpression()
        {
            if (Peek().Kind == TokenKind.Eof) throw Error(Peek().Offset, "no expression found in input");
            var expr = ParseExpr(OrPrecedence);
            var next = Peek();
            if (next.Kind != TokenKind.Eof) throw Unexpected(next, null, null);
            return expr;
        }

        public SourcePosition Position(int offset)
        {
            offset = Math.Max(0, Math.Min(offset, _input.Length));
            if (_lineStarts.Count == 0) return new SourcePosition(offset, 1, offset + 1);
            int line = _lineStarts.BinarySearch(offset);
            if (line < 0) line = ~line - 1;
            return new SourcePosition(offset, line + 1, offset - _lineStarts[line] + 1);
        }

        public PromQLParseException Error(int offset, string problem) => new PromQLParseException(Position(offset), problem);

        private Token Peek()
        {
            if (!_hasPeeked)
            {
                _peeked = _lexer.Next();
                _hasPeeked = true;
                if (_peeked.Kind == TokenKind.Error) throw Error(_peeked.Offset, _peeked.Problem!);
            }
            return _peeked;
        }

        private string Text(Token token) => _input.Substring(token.Offset, token.Length);

        private Token Next()
        {
            var token = Peek();
            _hasPeeked = false;
            return token;
        }

        private Token Expect(TokenKind kind, string context, string expected)
        {
            var token = Next();
            if (token.Kind != kind) throw Unexpected(token, context, expected);
            return token;
        }

        private Expr ParseExpr(int minPrecedence)
        {
            if (++_depth > PromQLParser.MaxDepth) throw Error(Peek().Offset, "expression nests too deeply");
            RuntimeHelpers.EnsureSufficientExecutionStack();
            var left = ParseUnary();
            while (true)
            {
                var op = Peek();
                int precedence = Precedence(op.Kind);
                if (precedence < minPrecedence) break;
                Next();
                var matching = ParseBinaryModifiers(out bool returnBool);
                var right = ParseExpr(op.Kind == TokenKind.Pow ? precedence : precedence + 1);
                string name = OperatorName(op.Kind);
                var kept = TypeChecker.CheckBinary(name, left, right, returnBool, matching, Position(op.Offset));
                left = Checked(new BinaryExpr(name, left, right, returnBool, kept), left.Position.Offset, right.EndOffset);
            }
            _depth--;
            return left;
        }

        /// <summary>
        /// A sign binds like * and /: its operand takes in ^ and the suffixes, so <c>-2^2</c> is <c>-(2^2)</c>.
        /// A sign on a number literal folds into the number, as in Prometheus.
        /// </summary>
        private Expr ParseUnary()
        {
            var token = Peek();
            if (token.Kind != TokenKind.Add && token.Kind != TokenKind.Sub) return ParseSuffixes(ParsePrimary());
            Next();
            var operand = ParseExpr(PowPrecedence);
            if (operand is NumberLiteral number)
            {
                double value = token.Kind == TokenKind.Sub ? -number.Value : number.Value;
                return new NumberLiteral(value).Located<Expr>(Position(token.Offset), operand.EndOffset);
            }
            return Checked(new UnaryExpr(token.Kind == TokenKind.Sub ? "-" : "+", operand), token.Offset, operand.EndOffset);
        }

        private Expr ParsePrimary()
        {
            var token = Next();
            switch (token.Kind)
            {
                case TokenKind.Number:
                    return new NumberLiteral(ParseNumber(token)).Located<Expr>(Position(token.Offset), token.End);
                case TokenKind.String:
                    return new StringLiteral(StringLiterals.Unquote(_input, token.Offset, token.Length, out _)).Located<Expr>(Position(token.Offset), token.End);
                case TokenKind.LeftParen:
                    {
                        var inner = ParseExpr(OrPrecedence);
                        var close = Expect(TokenKind.RightParen, "paren expression", "\")\"");
                        return Checked(new ParenExpr(inner), token.Offset, close.End);
                    }
                case TokenKind.LeftBrace:
                    {
                        var matchers = ParseLabelMatchers(out int end);
                        return Checked(VectorSelector.Parsed(null, matchers), token.Offset, end);
                    }
                case TokenKind.Identifier:
                    return Peek().Kind == TokenKind.LeftParen ? ParseCall(token) : ParseVectorSelector(token);
                case TokenKind.MetricIdentifier:
                case TokenKind.By:
                case TokenKind.And:
                case TokenKind.Or:
                case TokenKind.Unless:
                case TokenKind.Offset:
                case TokenKind.Without:
                case TokenKind.Start:
                case TokenKind.End:
                    return ParseVectorSelector(token);
            }
            if (IsAggregator(token.Kind))
            {
                var next = Peek().Kind;
                return next == TokenKind.LeftParen || next == TokenKind.By || next == TokenKind.Without
                    ? ParseAggregate(token)
                    : ParseVectorSelector(token);
            }
            throw Unexpected(token, null, null);
        }

        private Expr ParseVectorSelector(Token name)
        {
            var matchers = Structural.EmptyList<LabelMatcher>.Instance;
            int end = name.End;
            if (Peek().Kind == TokenKind.LeftBrace)
            {
                Next();
                matchers = ParseLabelMatchers(out end);
            }
            return Checked(VectorSelector.Parsed(Text(name), matchers), name.Offset, end);
        }

        /// <summary>The matchers after an opening brace, through the closing one.</summary>
        private ReadOnlyCollection<LabelMatcher> ParseLabelMatchers(out int end)
        {
            _pendingMatchers.Clear();
            end = ParseLabelMatcherList();
            return Structural.Take(_pendingMatchers, 0);
        }

        private int ParseLabelMatcherList()
        {
            if (Peek().Kind == TokenKind.RightBrace) return Next().End;
            while (true)
            {
                var name = Expect(TokenKind.Identifier, "label matching", "identifier or \"}\"");
                var op = Next();
                MatchType type;
                switch (op.Kind)
                {
                    case TokenKind.Assign: type = MatchType.Equal; break;
                    case TokenKind.Neq: type = MatchType.NotEqual; break;
                    case TokenKind.EqlRegex: type = MatchType.Regex; break;
                    case TokenKind.NeqRegex: type = MatchType.NotRegex; break;
                    default: throw Unexpected(op, "label matching", "label matching operator");
                }
                var value = Expect(TokenKind.String, "label matching", "string");
                string text = StringLiterals.Unquote(_input, value.Offset, value.Length, out bool validUtf8);
                if (type == MatchType.Regex || type == MatchType.NotRegex)
                {
                    string? problem = validUtf8 ? GoRegexp.Check(text, out _) : "error parsing regexp: invalid UTF-8";
                    if (problem != null) throw Error(name.Offset, problem);
                }
                _pendingMatchers.Add(new LabelMatcher(Text(name), type, text, Position(name.Offset)));

                var separator = Next();
                if (separator.Kind == TokenKind.RightBrace) return separator.End;
                if (separator.Kind != TokenKind.Comma) throw Unexpected(separator, "label matching", "\",\" or \"}\"");
                if (Peek().Kind == TokenKind.RightBrace) return Next().End;
            }
        }

        private Expr ParseCall(Token name)
        {
            var arguments = ParseCallBody(out int end);
            if (!PromQLFunctions.TryGet(_input, name.Offset, name.Length, out var function)) throw Error(name.Offset, "unknown function with name \"" + Text(name) + "\"");
            return Checked(Call.Parsed(function, arguments), name.Offset, end);
        }

        private ReadOnlyCollection<Expr> ParseCallBody(out int end)
        {
            Expect(TokenKind.LeftParen, "function call", "\"(\"");
            int first = _pendingArguments.Count;
            end = ParseArgumentList();
            return Structural.Take(_pendingArguments, first);
        }

        private int ParseArgumentList()
        {
            if (Peek().Kind == TokenKind.RightParen) return Next().End;
            while (true)
            {
                _pendingArguments.Add(ParseExpr(OrPrecedence));
                var separator = Next();
                if (separator.Kind == TokenKind.RightParen) return separator.End;
                if (separator.Kind != TokenKind.Comma) throw Unexpected(separator, "function call", "\",\" or \")\"");
                if (Peek().Kind == TokenKind.RightParen) throw Error(separator.Offset, "trailing commas not allowed in function call args");
            }
        }

        private Expr ParseAggregate(Token op)
        {
            bool hasGrouping = false;
            bool without = false;
            var grouping = Structural.EmptyList<string>.Instance;
            if (Peek().Kind == TokenKind.By || Peek().Kind == TokenKind.Without)
            {
                without = Next().Kind == TokenKind.Without;
                hasGrouping = true;
                grouping = ParseGroupingLabels(out _);
            }
            var arguments = ParseCallBody(out int end);
            if (!hasGrouping && (Peek().Kind == TokenKind.By || Peek().Kind == TokenKind.Without))
            {
                without = Next().Kind == TokenKind.Without;
                hasGrouping = true;
                grouping = ParseGroupingLabels(out end);
            }

            string name = AggregatorName(op.Kind);
            if (arguments.Count == 0) throw Error(op.Offset, "no arguments for aggregate expression provided");
            bool hasParameter = op.Kind == TokenKind.Topk || op.Kind == TokenKind.Bottomk || op.Kind == TokenKind.Quantile || op.Kind == TokenKind.CountValues;
            int expected = hasParameter ? 2 : 1;
            if (arguments.Count != expected)
            {
                throw Error(
                    op.Offset,
                    "wrong number of arguments for aggregate expression provided, expected " + expected.ToString(CultureInfo.InvariantCulture)
                    + ", got " + arguments.Count.ToString(CultureInfo.InvariantCulture));
            }
            var parameter = hasParameter ? arguments[0] : null;
            return Checked(AggregateExpr.Parsed(name, arguments[expected - 1], parameter, grouping, without, hasGrouping), op.Offset, end);
        }

        /// <summary>A parenthesised label list; labels may be spelled like keywords, except <c>without</c>, as in Prometheus 2.42.</summary>
        private ReadOnlyCollection<string> ParseGroupingLabels(out int end)
        {
            Expect(TokenKind.LeftParen, "grouping opts", "\"(\"");
            _pendingLabels.Clear();
            end = ParseLabelList();
            return Structural.Take(_pendingLabels, 0);
        }

        private int ParseLabelList()
        {
            if (Peek().Kind == TokenKind.RightParen) return Next().End;
            while (true)
            {
                var label = Next();
                if (!CanBeLabel(label.Kind) || !IsLabelName(label)) throw Unexpected(label, "grouping opts", "label");
                _pendingLabels.Add(Text(label));
                var separator = Next();
                if (separator.Kind == TokenKind.RightParen) return separator.End;
                if (separator.Kind != TokenKind.Comma) throw Unexpected(separator, "grouping opts", "\",\" or \")\"");
                if (Peek().Kind == TokenKind.RightParen) return Next().End;
            }
        }

        private VectorMatching ParseBinaryModifiers(out bool returnBool)
        {
            returnBool = false;
            if (Peek().Kind == TokenKind.Bool)
            {
                Next();
                returnBool = true;
            }
            if (Peek().Kind != TokenKind.On && Peek().Kind != TokenKind.Ignoring) return VectorMatching.Plain;
            string cardinality = VectorMatching.OneToOne;
            var include = Structural.EmptyList<string>.Instance;
            bool on = Next().Kind == TokenKind.On;
            var matchingLabels = ParseGroupingLabels(out _);
            var group = Peek().Kind;
            if (group == TokenKind.GroupLeft || group == TokenKind.GroupRight)
            {
                Next();
                cardinality = group == TokenKind.GroupLeft ? VectorMatching.ManyToOne : VectorMatching.OneToMany;
                if (Peek().Kind == TokenKind.LeftParen) include = ParseGroupingLabels(out _);
            }
            return VectorMatching.Parsed(cardinality, matchingLabels, on, include);
        }

        /// <summary>Ranges, subqueries, offset and @ bind tighter than any operator, to the expression just before them.</summary>
        private Expr ParseSuffixes(Expr expr)
        {
            while (true)
            {
                var token = Peek();
                switch (token.Kind)
                {
                    case TokenKind.LeftBracket:
                        Next();
                        expr = ParseRangeOrSubquery(expr, token);
                        break;
                    case TokenKind.Offset:
                        {
                            Next();
                            bool negative = false;
                            if (Peek().Kind == TokenKind.Sub)
                            {
                                Next();
                                negative = true;
                            }
                            var duration = Expect(TokenKind.Duration, "offset", "duration");
                            var offset = ParseDuration(duration);
                            expr = WithOffset(expr, negative ? offset.Negate() : offset, duration.End);
                            break;
                        }
                    case TokenKind.At:
                        Next();
                        expr = WithAt(expr, ParseAtModifier(out int end), end);
                        break;
                    default:
                        return expr;
                }
            }
        }

        private Expr ParseRangeOrSubquery(Expr expr, Token open)
        {
            var rangeToken = Expect(TokenKind.Duration, "subquery selector", "duration");
            var range = ParseDuration(rangeToken);
            var next = Next();
            if (next.Kind == TokenKind.RightBracket)
            {
                string? problem = null;
                if (!(expr is VectorSelector selector)) problem = "ranges only allowed for vector selectors";
                else if (selector.Offset != null) problem = "no offset modifiers allowed before range";
                else if (selector.At?.Kind == AtModifierKind.Timestamp) problem = "no @ modifiers allowed before range";
                if (problem != null) throw Error(open.Offset, problem);
                return Checked(new MatrixSelector((VectorSelector)expr, range), expr.Position.Offset, next.End);
            }
            if (next.Kind != TokenKind.Colon) throw Unexpected(next, "subquery or range", "\":\" or \"]\"");
            TimeSpan? step = null;
            if (Peek().Kind == TokenKind.Duration) step = ParseDuration(Next());
            var close = Expect(TokenKind.RightBracket, "subquery selector", step is null ? "duration or \"]\"" : "\"]\"");
            return Checked(new SubqueryExpr(expr, range, step), expr.Position.Offset, close.End);
        }

        private AtModifier ParseAtModifier(out int end)
        {
            var token = Next();
            switch (token.Kind)
            {
                case TokenKind.Start:
                case TokenKind.End:
                    Expect(TokenKind.LeftParen, "@", "\"(\"");
                    end = Expect(TokenKind.RightParen, "@", "\")\"").End;
                    return token.Kind == TokenKind.Start ? AtModifier.Start : AtModifier.End;
                case TokenKind.Number:
                    end = token.End;
                    return AtModifier.At(ParseNumber(token));
                case TokenKind.Add:
                case TokenKind.Sub:
                    {
                        var number = Expect(TokenKind.Number, "@", "timestamp");
                        end = number.End;
                        double value = ParseNumber(number);
                        return AtModifier.At(token.Kind == TokenKind.Sub ? -value : value);
                    }
                default:
                    throw Unexpected(token, "@", "timestamp");
            }
        }

        private Expr WithOffset(Expr expr, TimeSpan offset, int end)
        {
            const string TwiceProblem = "offset may not be set multiple times";
            switch (expr)
            {
                case VectorSelector selector:
                    if (selector.Offset != null) throw Error(expr.Position.Offset, TwiceProblem);
                    return selector.With(offset, selector.At).Located<Expr>(expr.Position, end);
                case MatrixSelector matrix:
                    if (matrix.Selector.Offset != null) throw Error(expr.Position.Offset, TwiceProblem);
                    return new MatrixSelector(matrix.Selector.With(offset, matrix.Selector.At).Located<VectorSelector>(matrix.Selector.Position, matrix.Selector.EndOffset), matrix.Range)
                        .Located<Expr>(expr.Position, end);
                case SubqueryExpr subquery:
                    if (subquery.Offset != null) throw Error(expr.Position.Offset, TwiceProblem);
                    return subquery.With(offset, subquery.At).Located<Expr>(expr.Position, end);
                default:
                    throw Error(expr.Position.Offset, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
            }
        }

        private Expr WithAt(Expr expr, AtModifier at, int end)
        {
            const string TwiceProblem = "@ <timestamp> may not be set multiple times";
            if (at.Timestamp is double seconds && (double.IsNaN(seconds) || seconds >= 9.2233720368547758e18 || seconds <= -9.2233720368547758e18))
            {
                throw Error(expr.Position.Offset, "timestamp out of bounds for @ modifier: " + seconds.ToString("F6", CultureInfo.InvariantCulture));
            }
            switch (expr)
            {
                case VectorSelector selector:
                    if (selector.At != null) throw Error(expr.Position.Offset, TwiceProblem);
                    return selector.With(selector.Offset, at).Located<Expr>(expr.Position, end);
                case MatrixSelector matrix:
                    if (matrix.Selector.At != null) throw Error(expr.Position.Offset, TwiceProblem);
                    return new MatrixSelector(matrix.Selector.With(matrix.Selector.Offset, at).Located<VectorSelector>(matrix.Selector.Position, matrix.Selector.EndOffset), matrix.Range)
                        .Located<Expr>(expr.Position, end);
                case SubqueryExpr subquery:
                    if (subquery.At != null) throw Error(expr.Position.Offset, TwiceProblem);
                    return subquery.With(subquery.Offset, at).Located<Expr>(expr.Position, end);
                default:
                    throw Error(expr.Position.Offset, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
            }
        }

        private Expr Checked(Expr expr, int start, int end)
        {
            expr.Located<Expr>(Position(start), end);
            if (expr.Depth > PromQLParser.MaxDepth) throw Error(start, "expression nests too deeply");
            TypeChecker.CheckNode(expr);
            return expr;
        }

        /// <summary>Go's strconv rules as Prometheus applies them: an integer in any base first, else a float.</summary>
        private double ParseNumber(Token token)
        {
            if (SmallDecimal(token) is long small) return small;
            string text = Text(token);
            string lower = text.ToLowerInvariant();
            if (lower == "inf") return double.PositiveInfinity;
            if (lower == "nan") return double.NaN;
            if (lower.StartsWith("0x", StringComparison.Ordinal))
            {
                if (lower.Length > 2 && ulong.TryParse(lower.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong hex) && hex <= long.MaxValue)
                    return hex;
                throw Error(token.Offset, "error parsing number: invalid syntax: " + text);
            }
            if (lower.Length > 1 && lower[0] == '0' && IsOctal(lower))
            {
                // Octal that overflows int64 is read again as a decimal float, as Go's fallback does.
                ulong value = 0;
                bool overflow = false;
                for (int i = 1; i < lower.Length && !overflow; i++)
                {
                    overflow = value > long.MaxValue / 8;
                    value = (value * 8) + (ulong)(lower[i] - '0');
                    overflow |= value > long.MaxValue;
                }
                if (!overflow) return value;
            }
            int exponentDigits = lower.IndexOf('e') + 1;
            if (exponentDigits > 0)
            {
                if (exponentDigits < lower.Length && (lower[exponentDigits] == '+' || lower[exponentDigits] == '-')) exponentDigits++;
                if (exponentDigits == lower.Length) throw Error(token.Offset, "error parsing number: invalid syntax: " + text);
            }
            double result = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (double.IsInfinity(result)) throw Error(token.Offset, "error parsing number: value out of range: " + text);
            return result;
        }

        /// <summary>The common case without a string: a plain decimal integer (no leading zero, so not octal) that a double holds exactly.</summary>
        private long? SmallDecimal(Token token)
        {
            if (token.Length > 15 || (token.Length > 1 && _input[token.Offset] == '0')) return null;
            long value = 0;
            for (int i = token.Offset; i < token.End; i++)
            {
                char c = _input[i];
                if (!Lexer.IsDigit(c)) return null;
                value = (value * 10) + (c - '0');
            }
            return value;
        }

        private static bool IsOctal(string digits)
        {
            foreach (char c in digits)
            {
                if (c < '0' || c > '7') return false;
            }
            return true;
        }

        private static readonly long[] UnitNanoseconds = { 365L * 86_400_000_000_000, 7L * 86_400_000_000_000, 86_400_000_000_000, 3_600_000_000_000, 60_000_000_000, 1_000_000_000, 1_000_000 };

        /// <summary>Prometheus' duration rules: units y w d h m s ms, largest first, each once, in range, and not zero.</summary>
        private TimeSpan ParseDuration(Token token)
        {
            long total = 0;
            int lastRank = -1;
            int i = token.Offset;
            int end = token.End;
            bool outOfRange = false;
            while (i < end)
            {
                long count = 0;
                bool overflow = false;
                int digitsStart = i;
                for (; i < end && Lexer.IsDigit(_input[i]); i++)
                {
                    int digit = _input[i] - '0';
                    if (count > (long.MaxValue - digit) / 10) overflow = true;
                    else count = (count * 10) + digit;
                }
                if (i == digitsStart || i == end) throw Error(token.Offset, "not a valid duration string: \"" + Text(token) + "\"");
                int rank;
                if (_input[i] == 'm' && i + 1 < end && _input[i + 1] == 's')
                {
                    rank = 6;
                    i += 2;
                }
                else
                {
                    rank = "ywdhms".IndexOf(_input[i]);
                    i++;
                }
                if (rank < 0 || rank <= lastRank) throw Error(token.Offset, "not a valid duration string: \"" + Text(token) + "\"");
                lastRank = rank;
                long unit = UnitNanoseconds[rank];
                if (overflow || count > long.MaxValue / unit || count * unit > long.MaxValue - total)
                {
                    outOfRange = true;
                    continue;
                }
                total += count * unit;
            }
            if (outOfRange) throw Error(token.Offset, "duration out of range");
            if (total == 0) throw Error(token.Offset, "duration must be greater than 0");
            return TimeSpan.FromTicks(total / 100);
        }

        private static int Precedence(TokenKind kind)
        {
            switch (kind)
            {
                case TokenKind.Or: return 1;
                case TokenKind.And:
                case TokenKind.Unless: return 2;
                case TokenKind.EqlC:
                case TokenKind.Neq:
                case TokenKind.Lss:
                case TokenKind.Lte:
                case TokenKind.Gtr:
                case TokenKind.Gte: return 3;
                case TokenKind.Add:
                case TokenKind.Sub: return 4;
                case TokenKind.Mul:
                case TokenKind.Div:
                case TokenKind.Mod:
                case TokenKind.Atan2: return 5;
                case TokenKind.Pow: return PowPrecedence;
                default: return -1;
            }
        }

        private static string OperatorName(TokenKind kind)
        {
            switch (kind)
            {
                case TokenKind.Add: return "+";
                case TokenKind.Sub: return "-";
                case TokenKind.Mul: return "*";
                case TokenKind.Div: return "/";
                case TokenKind.Mod: return "%";
                case TokenKind.Pow: return "^";
                case TokenKind.EqlC: return "==";
                case TokenKind.Neq: return "!=";
                case TokenKind.Lss: return "<";
                case TokenKind.Lte: return "<=";
                case TokenKind.Gtr: return ">";
                case TokenKind.Gte: return ">=";
                case TokenKind.And: return "and";
                case TokenKind.Or: return "or";
                case TokenKind.Unless: return "unless";
                case TokenKind.Atan2: return "atan2";
                default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a binary operator.");
            }
        }

        private static string AggregatorName(TokenKind kind)
        {
            switch (kind)
            {
                case TokenKind.Avg: return "avg";
                case TokenKind.Bottomk: return "bottomk";
                case TokenKind.Count: return "count";
                case TokenKind.CountValues: return "count_values";
                case TokenKind.Group: return "group";
                case TokenKind.Max: return "max";
                case TokenKind.Min: return "min";
                case TokenKind.Quantile: return "quantile";
                case TokenKind.Stddev: return "stddev";
                case TokenKind.Stdvar: return "stdvar";
                case TokenKind.Sum: return "sum";
                case TokenKind.Topk: return "topk";
                default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an aggregator.");
            }
        }

        private static bool IsAggregator(TokenKind kind) => kind >= TokenKind.Avg && kind <= TokenKind.Topk;

        private static bool CanBeLabel(TokenKind kind) =>
            kind == TokenKind.Identifier || kind == TokenKind.MetricIdentifier || IsAggregator(kind)
            || (kind >= TokenKind.Bool && kind <= TokenKind.End && kind != TokenKind.Without)
            || kind == TokenKind.And || kind == TokenKind.Or || kind == TokenKind.Unless || kind == TokenKind.Atan2;

        private bool IsLabelName(Token token)
        {
            if (token.Length == 0 || !Lexer.IsAlpha(_input[token.Offset])) return false;
            for (int i = token.Offset; i < token.End; i++)
            {
                if (!Lexer.IsAlphaNumeric(_input[i])) return false;
            }
            return true;
        }

        private PromQLParseException Unexpected(Token token, string? context, string? expected)
        {
            string problem = "unexpected " + Describe(token);
            if (context != null) problem += " in " + context;
            if (expected != null) problem += ", expected " + expected;
            return Error(token.Offset, problem);
        }

        private string Describe(Token token)
        {
            string text = Text(token);
            switch (token.Kind)
            {
                case TokenKind.Eof: return "end of input";
                case TokenKind.Identifier: return "identifier \"" + text + "\"";
                case TokenKind.MetricIdentifier: return "metric identifier \"" + text + "\"";
                case TokenKind.Number: return "number \"" + text + "\"";
                case TokenKind.String: return "string " + text;
                case TokenKind.Duration: return "duration \"" + text + "\"";
            }
            if (token.Kind >= TokenKind.Add && token.Kind <= TokenKind.Unless) return "<op:" + text + ">";
            if (IsAggregator(token.Kind)) return "<aggr:" + text + ">";
            if (token.Kind >= TokenKind.Bool) return "<" + text + ">";
            return "\"" + text + "\"";
        }
    }
}
