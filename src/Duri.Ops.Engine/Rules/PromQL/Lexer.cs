using System;
using System.Collections.Generic;
using System.Globalization;

namespace Duri.Ops.Engine.Rules.PromQL
{
    internal enum TokenKind
    {
        Eof,
        Error,
        Identifier,
        MetricIdentifier,
        Number,
        String,
        Duration,
        LeftParen,
        RightParen,
        LeftBrace,
        RightBrace,
        LeftBracket,
        RightBracket,
        Comma,
        Assign,
        Colon,

        // Operators.
        Add,
        Sub,
        Mul,
        Div,
        Mod,
        Pow,
        EqlC,
        Neq,
        Lss,
        Lte,
        Gtr,
        Gte,
        EqlRegex,
        NeqRegex,
        At,
        Atan2,
        And,
        Or,
        Unless,

        // Aggregators.
        Avg,
        Bottomk,
        Count,
        CountValues,
        Group,
        Max,
        Min,
        Quantile,
        Stddev,
        Stdvar,
        Sum,
        Topk,

        // Keywords.
        Bool,
        By,
        GroupLeft,
        GroupRight,
        Ignoring,
        Offset,
        On,
        Without,
        Start,
        End,
    }

    /// <summary>A token as a place in the input; the parser takes out only the text it keeps.</summary>
    internal readonly struct Token
    {
        public Token(TokenKind kind, int offset, int length, string? problem = null)
        {
            Kind = kind;
            Offset = offset;
            Length = length;
            Problem = problem;
        }

        public TokenKind Kind { get; }

        public int Offset { get; }

        /// <summary>How many characters of the input the token spans; 0 for <see cref="TokenKind.Error"/> and <see cref="TokenKind.Eof"/>.</summary>
        public int Length { get; }

        /// <summary>What is wrong, for <see cref="TokenKind.Error"/>; null for every other kind.</summary>
        public string? Problem { get; }

        public int End => Offset + Length;
    }

    /// <summary>
    /// PromQL's lexer, state for state as Prometheus 2.42 runs it, quirks included: after <c>[</c> a duration must
    /// follow, and inside brackets any letter counts as the subquery colon (<c>x[5m y]</c> is <c>x[5m:]</c>).
    /// </summary>
    internal sealed class Lexer
    {
        private const int Eof = -1;

        private static readonly Dictionary<string, TokenKind> KeywordTable = new Dictionary<string, TokenKind>(StringComparer.Ordinal)
        {
            ["and"] = TokenKind.And,
            ["or"] = TokenKind.Or,
            ["unless"] = TokenKind.Unless,
            ["atan2"] = TokenKind.Atan2,
            ["sum"] = TokenKind.Sum,
            ["avg"] = TokenKind.Avg,
            ["count"] = TokenKind.Count,
            ["min"] = TokenKind.Min,
            ["max"] = TokenKind.Max,
            ["group"] = TokenKind.Group,
            ["stddev"] = TokenKind.Stddev,
            ["stdvar"] = TokenKind.Stdvar,
            ["topk"] = TokenKind.Topk,
            ["bottomk"] = TokenKind.Bottomk,
            ["count_values"] = TokenKind.CountValues,
            ["quantile"] = TokenKind.Quantile,
            ["offset"] = TokenKind.Offset,
            ["by"] = TokenKind.By,
            ["without"] = TokenKind.Without,
            ["on"] = TokenKind.On,
            ["ignoring"] = TokenKind.Ignoring,
            ["group_left"] = TokenKind.GroupLeft,
            ["group_right"] = TokenKind.GroupRight,
            ["bool"] = TokenKind.Bool,
            ["start"] = TokenKind.Start,
            ["end"] = TokenKind.End,
            ["inf"] = TokenKind.Number,
            ["nan"] = TokenKind.Number,
        };

        // By length, so that a word is compared only with keywords as long as it, in place, without a substring.
        private static readonly KeyValuePair<string, TokenKind>[][] KeywordsByLength = GroupByLength(KeywordTable);

        private enum State
        {
            Statements,
            InsideBraces,
            Duration,
            Done,
        }

        private string _input = string.Empty;
        private State _state = State.Statements;
        private int _pos;
        private int _start;
        private int _width;
        private int _parenDepth;
        private bool _braceOpen;
        private bool _bracketOpen;
        private bool _gotColon;

        /// <summary>Starts over on <paramref name="input"/>.</summary>
        public void Reset(string input)
        {
            _input = input;
            _state = State.Statements;
            _pos = 0;
            _start = 0;
            _width = 0;
            _parenDepth = 0;
            _braceOpen = false;
            _bracketOpen = false;
            _gotColon = false;
        }

        public Token Next()
        {
            while (true)
            {
                switch (_state)
                {
                    case State.Done:
                        return new Token(TokenKind.Eof, _input.Length, 0);
                    case State.Duration:
                        _state = State.Statements;
                        return LexDuration();
                    case State.InsideBraces:
                        if (LexInsideBraces() is Token braced) return braced;
                        break;
                    default:
                        if (_braceOpen)
                        {
                            _state = State.InsideBraces;
                            break;
                        }
                        if (LexStatement() is Token token) return token;
                        break;
                }
            }
        }

        private Token? LexStatement()
        {
            _start = _pos;
            if (Peek() == '#')
            {
                SkipComment();
                return null;
            }
            int r = Read();
            switch (r)
            {
                case Eof:
                    if (_parenDepth != 0) return Error("unclosed left parenthesis");
                    if (_bracketOpen) return Error("unclosed left bracket");
                    _state = State.Done;
                    return Emit(TokenKind.Eof);
                case ',':
                    return Emit(TokenKind.Comma);
                case ' ':
                case '\t':
                case '\n':
                case '\r':
                    SkipSpaces();
                    return null;
                case '*':
                    return Emit(TokenKind.Mul);
                case '/':
                    return Emit(TokenKind.Div);
                case '%':
                    return Emit(TokenKind.Mod);
                case '+':
                    return Emit(TokenKind.Add);
                case '-':
                    return Emit(TokenKind.Sub);
                case '^':
                    return Emit(TokenKind.Pow);
                case '=':
                    if (Peek() == '=')
                    {
                        Read();
                        return Emit(TokenKind.EqlC);
                    }
                    if (Peek() == '~') return Error("unexpected character after '=': '~'");
                    return Emit(TokenKind.Assign);
                case '!':
                    {
                        int t = Read();
                        if (t != '=') return Error("unexpected character after '!': " + Describe(t));
                        return Emit(TokenKind.Neq);
                    }
                case '<':
                    if (Peek() == '=')
                    {
                        Read();
                        return Emit(TokenKind.Lte);
                    }
                    return Emit(TokenKind.Lss);
                case '>':
                    if (Peek() == '=')
                    {
                        Read();
                        return Emit(TokenKind.Gte);
                    }
                    return Emit(TokenKind.Gtr);
                case '"':
                case '\'':
                    return LexString((char)r);
                case '`':
                    return LexRawString();
                case '(':
                    _parenDepth++;
                    return Emit(TokenKind.LeftParen);
                case ')':
                    _parenDepth--;
                    if (_parenDepth < 0) return Error("unexpected right parenthesis ')'");
                    return Emit(TokenKind.RightParen);
                case '{':
                    _braceOpen = true;
                    return Emit(TokenKind.LeftBrace);
                case '[':
                    {
                        if (_bracketOpen) return Error("unexpected left bracket '['");
                        _gotColon = false;
                        var token = Emit(TokenKind.LeftBracket);
                        SkipSpaces();
                        _bracketOpen = true;
                        _state = State.Duration;
                        return token;
                    }
                case ']':
                    if (!_bracketOpen) return Error("unexpected right bracket ']'");
                    _bracketOpen = false;
                    return Emit(TokenKind.RightBracket);
                case '@':
                    return Emit(TokenKind.At);
            }
            if (IsDigit(r) || (r == '.' && IsDigit(Peek())))
            {
                Backup();
                return LexNumberOrDuration();
            }
            if (IsAlpha(r) || r == ':')
            {
                if (!_bracketOpen)
                {
                    Backup();
                    return LexKeywordOrIdentifier();
                }
                if (_gotColon) return Error("unexpected colon " + Describe(r));
                _gotColon = true;
                return Emit(TokenKind.Colon);
            }
            return Error("unexpected character: " + Describe(r));
        }

        private Token? LexInsideBraces()
        {
            _start = _pos;
            if (Peek() == '#')
            {
                SkipComment();
                return null;
            }
            int r = Read();
            switch (r)
            {
                case Eof:
                    return Error("unexpected end of input inside braces");
                case ' ':
                case '\t':
                case '\n':
                case '\r':
                    SkipSpaces();
                    return null;
                case ',':
                    return Emit(TokenKind.Comma);
                case '"':
                case '\'':
                    return LexString((char)r);
                case '`':
                    return LexRawString();
                case '=':
                    if (Read() == '~') return Emit(TokenKind.EqlRegex);
                    Backup();
                    return Emit(TokenKind.Assign);
                case '!':
                    {
                        int t = Read();
                        if (t == '~') return Emit(TokenKind.NeqRegex);
                        if (t == '=') return Emit(TokenKind.Neq);
                        return Error("unexpected character after '!' inside braces: " + Describe(t));
                    }
                case '{':
                    return Error("unexpected left brace '{'");
                case '}':
                    _braceOpen = false;
                    _state = State.Statements;
                    return Emit(TokenKind.RightBrace);
            }
            if (IsAlpha(r))
            {
                while (IsAlphaNumeric(Peek())) Read();
                return Emit(TokenKind.Identifier);
            }
            return Error("unexpected character inside braces: " + Describe(r));
        }

        private Token LexDuration()
        {
            _start = _pos;
            if (ScanNumber()) return Error("missing unit character in duration");
            if (!AcceptRemainingDuration()) return Error("bad duration syntax: " + Quote(_input.Substring(_start, _pos - _start)));
            Backup();
            return Emit(TokenKind.Duration);
        }

        private Token LexNumberOrDuration()
        {
            if (ScanNumber()) return Emit(TokenKind.Number);
            if (AcceptRemainingDuration())
            {
                Backup();
                return Emit(TokenKind.Duration);
            }
            return Error("bad number or duration syntax: " + Quote(_input.Substring(_start, _pos - _start)));
        }

        /// <summary>Consumes what may be a number; true when what follows cannot continue it (a unit letter can).</summary>
        private bool ScanNumber()
        {
            string digits = "0123456789";
            if (Accept("0") && Accept("xX")) digits = "0123456789abcdefABCDEF";
            AcceptRun(digits);
            if (Accept(".")) AcceptRun(digits);
            if (Accept("eE"))
            {
                Accept("+-");
                AcceptRun("0123456789");
            }
            return !IsAlphaNumeric(Peek());
        }

        /// <summary>Units and further number-unit pairs; "ms" and bad pairs like "hs" pass here and fail when the duration is parsed.</summary>
        private bool AcceptRemainingDuration()
        {
            if (!Accept("smhdwy")) return false;
            Accept("s");
            while (Accept("0123456789"))
            {
                AcceptRun("0123456789");
                if (!Accept("smhdw")) return false;
                Accept("s");
            }
            return !IsAlphaNumeric(Read());
        }

        private Token LexKeywordOrIdentifier()
        {
            bool colon = false;
            while (true)
            {
                int r = Peek();
                if (r == ':') colon = true;
                else if (!IsAlphaNumeric(r)) break;
                Read();
            }
            if (Keyword(_start, _pos - _start) is TokenKind kind) return Emit(kind);
            return Emit(colon ? TokenKind.MetricIdentifier : TokenKind.Identifier);
        }

        /// <summary>The keyword spelled, in any case, by the input's <paramref name="length"/> characters at <paramref name="start"/>.</summary>
        private TokenKind? Keyword(int start, int length)
        {
            if (length >= KeywordsByLength.Length) return null;
            foreach (var keyword in KeywordsByLength[length])
            {
                if (string.Compare(_input, start, keyword.Key, 0, length, StringComparison.OrdinalIgnoreCase) == 0) return keyword.Value;
            }
            return null;
        }

        private Token LexString(char quote)
        {
            while (true)
            {
                int r = ReadRune();
                if (r == '\\')
                {
                    if (LexEscape(quote) is string problem) return Error(problem);
                    continue;
                }
                if (r == 0xFFFD) return Error("invalid UTF-8 rune");
                if (r == Eof || r == '\n') return Error("unterminated quoted string");
                if (r == quote) return Emit(TokenKind.String);
            }
        }

        private string? LexEscape(char quote)
        {
            int ch = ReadRune();
            int digits;
            int numberBase;
            int max;
            switch (ch)
            {
                case 'a':
                case 'b':
                case 'f':
                case 'n':
                case 'r':
                case 't':
                case 'v':
                case '\\':
                    return null;
                case '0':
                case '1':
                case '2':
                case '3':
                case '4':
                case '5':
                case '6':
                case '7':
                    digits = 3;
                    numberBase = 8;
                    max = 255;
                    break;
                case 'x':
                    ch = ReadRune();
                    digits = 2;
                    numberBase = 16;
                    max = 255;
                    break;
                case 'u':
                    ch = ReadRune();
                    digits = 4;
                    numberBase = 16;
                    max = 0x10FFFF;
                    break;
                case 'U':
                    ch = ReadRune();
                    digits = 8;
                    numberBase = 16;
                    max = 0x10FFFF;
                    break;
                case Eof:
                    return "escape sequence not terminated";
                default:
                    if (ch == quote) return null;
                    return "unknown escape sequence " + Describe(ch);
            }
            long value = 0;
            while (digits > 0)
            {
                int digit = DigitValue(ch);
                if (digit >= numberBase)
                {
                    if (ch == Eof) return "escape sequence not terminated";
                    return "illegal character " + Describe(ch) + " in escape sequence";
                }
                value = (value * numberBase) + digit;
                digits--;
                if (digits > 0) ch = ReadRune();
            }
            if (value > max || (value >= 0xD800 && value < 0xE000)) return "escape sequence is an invalid Unicode code point";
            return null;
        }

        private Token LexRawString()
        {
            while (true)
            {
                int r = ReadRune();
                if (r == 0xFFFD) return Error("invalid UTF-8 rune");
                if (r == Eof) return Error("unterminated raw string");
                if (r == '`') return Emit(TokenKind.String);
            }
        }

        private void SkipComment()
        {
            int r;
            do
            {
                r = Read();
            }
            while (r != '\n' && r != '\r' && r != Eof);
            Backup();
        }

        private void SkipSpaces()
        {
            while (IsSpace(Peek())) Read();
        }

        private Token Emit(TokenKind kind)
        {
            var token = new Token(kind, _start, _pos - _start);
            _start = _pos;
            return token;
        }

        private Token Error(string problem)
        {
            _state = State.Done;
            return new Token(TokenKind.Error, _start, 0, problem);
        }

        private int Read()
        {
            if (_pos >= _input.Length)
            {
                _width = 0;
                return Eof;
            }
            _width = 1;
            return _input[_pos++];
        }

        /// <summary>Reads a code point; a lone surrogate reads as U+FFFD, which strings reject as Go rejects invalid UTF-8.</summary>
        private int ReadRune()
        {
            int r = Read();
            if (r == Eof || !char.IsSurrogate((char)r)) return r;
            if (char.IsHighSurrogate((char)r) && _pos < _input.Length && char.IsLowSurrogate(_input[_pos]))
            {
                int low = _input[_pos++];
                _width = 2;
                return char.ConvertToUtf32((char)r, (char)low);
            }
            return 0xFFFD;
        }

        private int Peek()
        {
            int r = Read();
            Backup();
            return r;
        }

        private void Backup() => _pos -= _width;

        private bool Accept(string valid)
        {
            int r = Read();
            // A plain loop: the sets are a few characters, too short for string.IndexOf to pay off.
            foreach (char c in valid)
            {
                if (c == r) return true;
            }
            Backup();
            return false;
        }

        private void AcceptRun(string valid)
        {
            while (Accept(valid))
            {
            }
        }

        internal static bool IsSpace(int r) => r == ' ' || r == '\t' || r == '\n' || r == '\r';

        internal static bool IsDigit(int r) => r >= '0' && r <= '9';

        internal static bool IsAlpha(int r) => r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');

        internal static bool IsAlphaNumeric(int r) => IsAlpha(r) || IsDigit(r);

        private static int DigitValue(int ch)
        {
            if (ch >= '0' && ch <= '9') return ch - '0';
            if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
            if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
            return 16;
        }

        private static KeyValuePair<string, TokenKind>[][] GroupByLength(Dictionary<string, TokenKind> keywords)
        {
            int longest = 0;
            foreach (var word in keywords.Keys) longest = Math.Max(longest, word.Length);
            var byLength = new List<KeyValuePair<string, TokenKind>>[longest + 1];
            for (int i = 0; i <= longest; i++) byLength[i] = new List<KeyValuePair<string, TokenKind>>();
            foreach (var keyword in keywords) byLength[keyword.Key.Length].Add(keyword);
            return Array.ConvertAll(byLength, list => list.ToArray());
        }

        private static string Describe(int r)
        {
            if (r == Eof) return "end of input";
            if (r >= 0x20 && r < 0x7F && r != '\'') return "'" + (char)r + "'";
            return "U+" + r.ToString("X4", CultureInfo.InvariantCulture);
        }

        private static string Quote(string text) => "\"" + text + "\"";
    }
}
