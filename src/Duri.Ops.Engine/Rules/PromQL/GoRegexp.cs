using System;
using System.Collections.Generic;

namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>
    /// The checks Go 1.19's regexp/syntax makes on a pattern in Perl mode, which Prometheus 2.42 runs on every
    /// <c>=~</c> and <c>!~</c> matcher, plus whether the anchored pattern matches the empty string.
    /// The parse tree is kept only as far as those answers need it.
    /// </summary>
    internal static class GoRegexp
    {
        private const int MaxRepeat = 1000;
        private const int MaxHeight = 1000;
        private const long MaxSize = (128L << 20) / 40;

        private static readonly HashSet<string> PosixClasses = new HashSet<string>(StringComparer.Ordinal)
        {
            "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "word", "xdigit",
        };

        // Go 1.19 knows Unicode 13.0: its general categories (without Cn and LC) and scripts, and Any.
        private static readonly HashSet<string> UnicodeClasses = new HashSet<string>(StringComparer.Ordinal)
        {
            "Any", "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No",
            "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
            "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Bassa_Vah", "Batak",
            "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid", "Canadian_Aboriginal", "Carian",
            "Caucasian_Albanian", "Chakma", "Cham", "Cherokee", "Chorasmian", "Common", "Coptic", "Cuneiform", "Cypriot", "Cyrillic",
            "Deseret", "Devanagari", "Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs", "Elbasan", "Elymaic", "Ethiopic",
            "Georgian", "Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati", "Gunjala_Gondi", "Gurmukhi", "Han", "Hangul",
            "Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew", "Hiragana", "Imperial_Aramaic", "Inherited", "Inscriptional_Pahlavi",
            "Inscriptional_Parthian", "Javanese", "Kaithi", "Kannada", "Katakana", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script",
            "Khmer", "Khojki", "Khudawadi", "Lao", "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu", "Lycian", "Lydian",
            "Mahajani", "Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin", "Meetei_Mayek",
            "Mende_Kikakui", "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian", "Mro", "Multani", "Myanmar",
            "Nabataean", "Nandinagari", "New_Tai_Lue", "Newa", "Nko", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki",
            "Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian", "Old_Sogdian", "Old_South_Arabian",
            "Old_Turkic", "Oriya", "Osage", "Osmanya", "Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau", "Phags_Pa", "Phoenician",
            "Psalter_Pahlavi", "Rejang", "Runic", "Samaritan", "Saurashtra", "Sharada", "Shavian", "Siddham", "SignWriting",
            "Sinhala", "Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese", "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le",
            "Tai_Tham", "Tai_Viet", "Takri", "Tamil", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh", "Tirhuta",
            "Ugaritic", "Vai", "Wancho", "Warang_Citi", "Yezidi", "Yi", "Zanabazar_Square",
        };

        /// <summary>
        /// Null when Prometheus accepts <paramref name="pattern"/> as a matcher regex, else Go's complaint.
        /// Prometheus compiles the pattern both anchored as <c>^(?:pattern)$</c> and alone, so both must parse.
        /// </summary>
        public static string? Check(string pattern, out bool matchesEmpty)
        {
            // Rule files repeat the same few patterns (5.., .+, a|b) thousands of times; each check parses twice.
            if (!Checked.TryGetValue(pattern, out var verdict))
            {
                if (Checked.Count >= MaxCachedPatterns) Checked.Clear();
                verdict.Problem = CheckUncached(pattern, out verdict.MatchesEmpty);
                Checked[pattern] = verdict;
            }
            matchesEmpty = verdict.MatchesEmpty;
            return verdict.Problem;
        }

        private const int MaxCachedPatterns = 4096;

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string? Problem, bool MatchesEmpty)> Checked =
            new System.Collections.Concurrent.ConcurrentDictionary<string, (string? Problem, bool MatchesEmpty)>(StringComparer.Ordinal);

        private static string? CheckUncached(string pattern, out bool matchesEmpty)
        {
            matchesEmpty = false;
            var anchored = new RegexParser("^(?:" + pattern + ")$").Parse(out var anchoredTree);
            if (anchored != null) return anchored;
            var alone = new RegexParser(pattern).Parse(out var tree);
            if (alone != null) return alone;
            if (Size(anchoredTree!) > MaxSize) return "expression too large";
            matchesEmpty = MatchesEmpty(tree!);
            return null;
        }

        private static bool MatchesEmpty(Node node)
        {
            switch (node.Op)
            {
                case Op.EmptyMatch:
                case Op.BeginLine:
                case Op.EndLine:
                case Op.BeginText:
                case Op.EndText:
                case Op.NoWordBoundary:
                case Op.Star:
                case Op.Quest:
                    return true;
                case Op.Capture:
                case Op.Plus:
                    return MatchesEmpty(node.Subs[0]);
                case Op.Repeat:
                    return node.Min == 0 || MatchesEmpty(node.Subs[0]);
                case Op.Concat:
                    foreach (var sub in node.Subs)
                    {
                        if (!MatchesEmpty(sub)) return false;
                    }
                    return true;
                case Op.Alternate:
                    foreach (var sub in node.Subs)
                    {
                        if (MatchesEmpty(sub)) return true;
                    }
                    return false;
                default:
                    return false;
            }
        }

        /// <summary>Go's estimate of the compiled program's length, which it caps.</summary>
        private static long Size(Node node)
        {
            long size = 0;
            switch (node.Op)
            {
                case Op.Literal:
                    size = node.Runes;
                    break;
                case Op.Capture:
                case Op.Star:
                    size = 2 + Size(node.Subs[0]);
                    break;
                case Op.Plus:
                case Op.Quest:
                    size = 1 + Size(node.Subs[0]);
                    break;
                case Op.Concat:
                    foreach (var sub in node.Subs) size += Size(sub);
                    break;
                case Op.Alternate:
                    foreach (var sub in node.Subs) size += Size(sub);
                    size += node.Subs.Count - 1;
                    break;
                case Op.Repeat:
                    {
                        long sub = Size(node.Subs[0]);
                        if (node.Max == -1) size = node.Min == 0 ? 2 + sub : 1 + (node.Min * sub);
                        else size = (node.Max * sub) + (node.Max - node.Min);
                        break;
                    }
            }
            return Math.Max(1, Math.Min(size, MaxSize + 1));
        }

        private enum Op
        {
            NoMatch,
            EmptyMatch,
            Literal,
            CharClass,
            AnyChar,
            BeginLine,
            EndLine,
            BeginText,
            EndText,
            WordBoundary,
            NoWordBoundary,
            Capture,
            Star,
            Plus,
            Quest,
            Repeat,
            Concat,
            Alternate,

            // Markers on the parse stack, never in a finished tree.
            LeftParen,
            VerticalBar,
        }

        private sealed class Node
        {
            public Node(Op op, params Node[] subs)
            {
                Op = op;
                Subs = new List<Node>(subs);
                foreach (var sub in subs) Height = Math.Max(Height, sub.Height);
                Height++;
            }

            public Op Op { get; set; }

            public List<Node> Subs { get; }

            public int Height { get; }

            public int Min { get; set; }

            public int Max { get; set; }

            public int Runes { get; set; } = 1;

            public bool FoldCase { get; set; }

            public int Capture { get; set; }

            public bool IsPseudo => Op == Op.LeftParen || Op == Op.VerticalBar;

            public bool IsCharClassLike => (Op == Op.Literal && Runes == 1) || Op == Op.CharClass || Op == Op.AnyChar;
        }

        private sealed class RegexParser
        {
            private readonly string _s;
            private readonly List<Node> _stack = new List<Node>();
            private bool _foldCase;
            private int _captures;

            public RegexParser(string s)
            {
                _s = s;
            }

            public string? Parse(out Node? tree)
            {
                tree = null;
                try
                {
                    tree = ParseAll();
                    return null;
                }
                catch (RegexSyntaxException e)
                {
                    return e.Message;
                }
            }

            private Node ParseAll()
            {
                int t = 0;
                int lastRepeat = -1;
                while (t < _s.Length)
                {
                    int repeat = -1;
                    char c = _s[t];
                    switch (c)
                    {
                        case '(':
                            if (t + 1 < _s.Length && _s[t + 1] == '?')
                            {
                                t = ParsePerlFlags(t);
                                break;
                            }
                            Push(new Node(Op.LeftParen) { Capture = ++_captures, FoldCase = _foldCase });
                            t++;
                            break;
                        case '|':
                            ParseVerticalBar();
                            t++;
                            break;
                        case ')':
                            ParseRightParen();
                            t++;
                            break;
                        case '^':
                            Push(new Node(Op.BeginText));
                            t++;
                            break;
                        case '$':
                            Push(new Node(Op.EndText));
                            t++;
                            break;
                        case '.':
                            Push(new Node(Op.AnyChar));
                            t++;
                            break;
                        case '[':
                            t = ParseClass(t);
                            break;
                        case '*':
                        case '+':
                        case '?':
                            {
                                var op = c == '*' ? Op.Star : c == '+' ? Op.Plus : Op.Quest;
                                int after = Repeat(op, 0, 0, t, t + 1, lastRepeat);
                                repeat = t;
                                t = after;
                                break;
                            }
                        case '{':
                            if (!ParseRepeat(t, out int min, out int max, out int end))
                            {
                                Literal();
                                t++;
                                break;
                            }
                            if (min < 0 || min > MaxRepeat || max > MaxRepeat || (max >= 0 && min > max))
                                throw Fail("invalid repeat count", t, end);
                            {
                                int after = Repeat(Op.Repeat, min, max, t, end, lastRepeat);
                                repeat = t;
                                t = after;
                            }
                            break;
                        case '\\':
                            t = ParseBackslash(t);
                            break;
                        default:
                            {
                                NextRune(t, out int width);
                                Literal();
                                t += width;
                                break;
                            }
                    }
                    lastRepeat = repeat;
                }

                Concat();
                if (SwapVerticalBar()) _stack.RemoveAt(_stack.Count - 1);
                Alternate();
                if (_stack.Count != 1) throw Fail("missing closing )", 0, _s.Length);
                return _stack[0];
            }

            private int ParseBackslash(int t)
            {
                if (t + 1 < _s.Length)
                {
                    switch (_s[t + 1])
                    {
                        case 'A':
                            Push(new Node(Op.BeginText));
                            return t + 2;
                        case 'b':
                            Push(new Node(Op.WordBoundary));
                            return t + 2;
                        case 'B':
                            Push(new Node(Op.NoWordBoundary));
                            return t + 2;
                        case 'C':
                            throw Fail("invalid escape sequence", t, t + 2);
                        case 'Q':
                            {
                                int close = _s.IndexOf("\\E", t + 2, StringComparison.Ordinal);
                                int end = close < 0 ? _s.Length : close;
                                for (int i = t + 2; i < end;)
                                {
                                    NextRune(i, out int width);
                                    Literal();
                                    i += width;
                                }
                                return close < 0 ? _s.Length : close + 2;
                            }
                        case 'z':
                            Push(new Node(Op.EndText));
                            return t + 2;
                    }
                }
                if (t + 1 < _s.Length && (_s[t + 1] == 'p' || _s[t + 1] == 'P'))
                {
                    int after = ParseUnicodeClass(t);
                    Push(new Node(Op.CharClass));
                    return after;
                }
                if (IsPerlClass(t))
                {
                    Push(new Node(Op.CharClass));
                    return t + 2;
                }
                int next = ParseEscape(t, out _);
                Literal();
                return next;
            }

            private int Repeat(Op op, int min, int max, int before, int after, int lastRepeat)
            {
                if (after < _s.Length && _s[after] == '?') after++;
                if (lastRepeat >= 0) throw Fail("invalid nested repetition operator", lastRepeat, after);
                int n = _stack.Count;
                if (n == 0 || _stack[n - 1].IsPseudo) throw Fail("missing argument to repetition operator", before, after);
                var node = new Node(op, _stack[n - 1]) { Min = min, Max = max };
                _stack[n - 1] = node;
                CheckHeight(node);
                if (op == Op.Repeat && (min >= 2 || max >= 2) && !RepeatIsValid(node, MaxRepeat))
                    throw Fail("invalid repeat count", before, after);
                return after;
            }

            private static bool RepeatIsValid(Node node, int n)
            {
                if (node.Op == Op.Repeat)
                {
                    int m = node.Max;
                    if (m == 0) return true;
                    if (m < 0) m = node.Min;
                    if (m > n) return false;
                    if (m > 0) n /= m;
                }
                foreach (var sub in node.Subs)
                {
                    if (!RepeatIsValid(sub, n)) return false;
                }
                return true;
            }

            /// <summary>{min}, {min,} or {min,max}; a brace that is none of these is a literal.</summary>
            private bool ParseRepeat(int t, out int min, out int max, out int end)
            {
                max = 0;
                end = t;
                int i = t + 1;
                if (!ParseInt(ref i, out min)) return false;
                if (i >= _s.Length) return false;
                if (_s[i] != ',')
                {
                    max = min;
                }
                else
                {
                    i++;
                    if (i >= _s.Length) return false;
                    if (_s[i] == '}')
                    {
                        max = -1;
                    }
                    else
                    {
                        if (!ParseInt(ref i, out max)) return false;
                        if (max < 0) min = -1;
                    }
                }
                if (i >= _s.Length || _s[i] != '}') return false;
                end = i + 1;
                return true;
            }

            private bool ParseInt(ref int i, out int value)
            {
                value = 0;
                if (i >= _s.Length || !Lexer.IsDigit(_s[i])) return false;
                if (i + 1 < _s.Length && _s[i] == '0' && Lexer.IsDigit(_s[i + 1])) return false;
                while (i < _s.Length && Lexer.IsDigit(_s[i]))
                {
                    if (value >= 100_000_000) value = -1;
                    else if (value >= 0) value = (value * 10) + (_s[i] - '0');
                    i++;
                }
                return true;
            }

            private int ParsePerlFlags(int t)
            {
                if (_s.Length - t > 4 && _s[t + 2] == 'P' && _s[t + 3] == '<')
                {
                    int end = _s.IndexOf('>', t);
                    if (end < 0) throw Fail("invalid named capture", t, _s.Length);
                    string name = _s.Substring(t + 4, end - t - 4);
                    if (name.Length == 0) throw Fail("invalid named capture", t, end + 1);
                    foreach (char ch in name)
                    {
                        if (!Lexer.IsAlphaNumeric(ch)) throw Fail("invalid named capture", t, end + 1);
                    }
                    Push(new Node(Op.LeftParen) { Capture = ++_captures, FoldCase = _foldCase });
                    return end + 1;
                }

                bool fold = _foldCase;
                bool negated = false;
                bool sawFlag = false;
                int i = t + 2;
                while (i < _s.Length)
                {
                    int c = NextRune(i, out int width);
                    i += width;
                    switch (c)
                    {
                        case 'i':
                            fold = !negated;
                            sawFlag = true;
                            continue;
                        case 'm':
                        case 's':
                        case 'U':
                            sawFlag = true;
                            continue;
                        case '-':
                            if (negated) break;
                            negated = true;
                            sawFlag = false;
                            continue;
                        case ':':
                        case ')':
                            if (negated && !sawFlag) break;
                            if (c == ':') Push(new Node(Op.LeftParen) { FoldCase = _foldCase });
                            _foldCase = fold;
                            return i;
                    }
                    break;
                }
                throw Fail("invalid or unsupported Perl syntax", t, i);
            }

            private void ParseVerticalBar()
            {
                Concat();
                if (!SwapVerticalBar()) Push(new Node(Op.VerticalBar));
            }

            /// <summary>Moves the finished alternative below the bar, merging single characters into one class as Go does.</summary>
            private bool SwapVerticalBar()
            {
                int n = _stack.Count;
                if (n >= 3 && _stack[n - 2].Op == Op.VerticalBar && _stack[n - 1].IsCharClassLike && _stack[n - 3].IsCharClassLike)
                {
                    var merged = _stack[n - 3];
                    if (merged.Op != Op.AnyChar) merged.Op = Op.CharClass;
                    merged.Runes = 1;
                    _stack.RemoveAt(n - 1);
                    return true;
                }
                if (n >= 2 && _stack[n - 2].Op == Op.VerticalBar)
                {
                    var top = _stack[n - 1];
                    _stack[n - 1] = _stack[n - 2];
                    _stack[n - 2] = top;
                    return true;
                }
                return false;
            }

            private void ParseRightParen()
            {
                Concat();
                if (SwapVerticalBar()) _stack.RemoveAt(_stack.Count - 1);
                Alternate();
                int n = _stack.Count;
                if (n < 2) throw Fail("unexpected )", 0, _s.Length);
                var inner = _stack[n - 1];
                var open = _stack[n - 2];
                _stack.RemoveRange(n - 2, 2);
                if (open.Op != Op.LeftParen) throw Fail("unexpected )", 0, _s.Length);
                _foldCase = open.FoldCase;
                Push(open.Capture == 0 ? inner : new Node(Op.Capture, inner));
            }

            private void Concat()
            {
                var subs = PopAlternative();
                if (subs.Count == 0)
                {
                    Push(new Node(Op.EmptyMatch));
                    return;
                }
                var merged = new List<Node>();
                foreach (var sub in Flatten(subs, Op.Concat))
                {
                    var last = merged.Count > 0 ? merged[merged.Count - 1] : null;
                    if (last != null && last.Op == Op.Literal && sub.Op == Op.Literal && last.FoldCase == sub.FoldCase)
                    {
                        last.Runes += sub.Runes;
                        continue;
                    }
                    merged.Add(sub.Op == Op.Literal ? new Node(Op.Literal) { Runes = sub.Runes, FoldCase = sub.FoldCase } : sub);
                }
                Push(merged.Count == 1 ? merged[0] : new Node(Op.Concat, merged.ToArray()));
            }

            private void Alternate()
            {
                var subs = PopAlternative();
                if (subs.Count == 0)
                {
                    Push(new Node(Op.NoMatch));
                    return;
                }
                var flat = Flatten(subs, Op.Alternate);
                Push(flat.Count == 1 ? flat[0] : new Node(Op.Alternate, flat.ToArray()));
            }

            private List<Node> PopAlternative()
            {
                int i = _stack.Count;
                while (i > 0 && !_stack[i - 1].IsPseudo) i--;
                var subs = _stack.GetRange(i, _stack.Count - i);
                _stack.RemoveRange(i, _stack.Count - i);
                return subs;
            }

            private static List<Node> Flatten(List<Node> subs, Op op)
            {
                var flat = new List<Node>();
                foreach (var sub in subs)
                {
                    if (sub.Op == op) flat.AddRange(sub.Subs);
                    else flat.Add(sub);
                }
                return flat;
            }

            private int ParseClass(int t)
            {
                int i = t + 1;
                if (i < _s.Length && _s[i] == '^') i++;
                bool first = true;
                while (i >= _s.Length || _s[i] != ']' || first)
                {
                    first = false;
                    if (_s.Length - i > 2 && _s[i] == '[' && _s[i + 1] == ':')
                    {
                        int close = _s.IndexOf(":]", i + 2, StringComparison.Ordinal);
                        if (close >= 0)
                        {
                            string name = _s.Substring(i + 2, close - i - 2);
                            if (name.StartsWith("^", StringComparison.Ordinal)) name = name.Substring(1);
                            if (!PosixClasses.Contains(name)) throw Fail("invalid character class range", i, close + 2);
                            i = close + 2;
                            continue;
                        }
                    }
                    if (i + 1 < _s.Length && _s[i] == '\\' && (_s[i + 1] == 'p' || _s[i + 1] == 'P'))
                    {
                        i = ParseUnicodeClass(i);
                        continue;
                    }
                    if (IsPerlClass(i))
                    {
                        i += 2;
                        continue;
                    }
                    int lo = ParseClassChar(ref i, t);
                    if (_s.Length - i >= 2 && _s[i] == '-' && _s[i + 1] != ']')
                    {
                        int rangeStart = i;
                        i++;
                        int hi = ParseClassChar(ref i, t);
                        if (hi < lo) throw Fail("invalid character class range", rangeStart, i);
                    }
                }
                Push(new Node(Op.CharClass));
                return i + 1;
            }

            private int ParseClassChar(ref int i, int classStart)
            {
                if (i >= _s.Length) throw Fail("missing closing ]", classStart, _s.Length);
                if (_s[i] == '\\')
                {
                    i = ParseEscape(i, out int escaped);
                    return escaped;
                }
                int r = NextRune(i, out int width);
                i += width;
                return r;
            }

            private bool IsPerlClass(int i) =>
                i + 1 < _s.Length && _s[i] == '\\' && "dDsSwW".IndexOf(_s[i + 1]) >= 0;

            private int ParseUnicodeClass(int t)
            {
                int i = t + 2;
                string name;
                int after;
                if (i < _s.Length && _s[i] == '{')
                {
                    int close = _s.IndexOf('}', t);
                    if (close < 0) throw Fail("invalid character class range", t, _s.Length);
                    name = _s.Substring(t + 3, close - t - 3);
                    after = close + 1;
                }
                else if (i < _s.Length)
                {
                    NextRune(i, out int width);
                    name = _s.Substring(i, width);
                    after = i + width;
                }
                else
                {
                    name = string.Empty;
                    after = i;
                }
                if (name.StartsWith("^", StringComparison.Ordinal)) name = name.Substring(1);
                if (!UnicodeClasses.Contains(name)) throw Fail("invalid character class range", t, after);
                return after;
            }

            private int ParseEscape(int t, out int rune)
            {
                int i = t + 1;
                if (i >= _s.Length) throw Fail("trailing backslash at end of expression", t, t);
                int c = NextRune(i, out int width);
                i += width;
                if ((c < 0x80 && !Lexer.IsAlphaNumeric(c)) || c == '_')
                {
                    rune = c;
                    return i;
                }
                switch (c)
                {
                    case '1':
                    case '2':
                    case '3':
                    case '4':
                    case '5':
                    case '6':
                    case '7':
                    case '0':
                        if (c != '0' && (i >= _s.Length || _s[i] < '0' || _s[i] > '7')) break;
                        rune = c - '0';
                        for (int k = 1; k < 3 && i < _s.Length && _s[i] >= '0' && _s[i] <= '7'; k++) rune = (rune * 8) + (_s[i++] - '0');
                        return i;
                    case 'x':
                        if (i >= _s.Length) break;
                        c = NextRune(i, out width);
                        i += width;
                        if (c == '{')
                        {
                            int digits = 0;
                            int value = 0;
                            while (true)
                            {
                                if (i >= _s.Length) throw Fail("invalid escape sequence", t, i);
                                c = NextRune(i, out width);
                                i += width;
                                if (c == '}') break;
                                int v = HexValue(c);
                                if (v < 0) throw Fail("invalid escape sequence", t, i);
                                value = (value * 16) + v;
                                if (value > 0x10FFFF) throw Fail("invalid escape sequence", t, i);
                                digits++;
                            }
                            if (digits == 0) throw Fail("invalid escape sequence", t, i);
                            rune = value;
                            return i;
                        }
                        {
                            int x = HexValue(c);
                            int y = -1;
                            if (i < _s.Length)
                            {
                                y = HexValue(NextRune(i, out width));
                                i += width;
                            }
                            if (x < 0 || y < 0) break;
                            rune = (x * 16) + y;
                            return i;
                        }
                    case 'a':
                    case 'f':
                    case 'n':
                    case 'r':
                    case 't':
                    case 'v':
                        rune = c;
                        return i;
                }
                throw Fail("invalid escape sequence", t, i);
            }

            private void Literal()
            {
                Push(new Node(Op.Literal) { FoldCase = _foldCase });
            }

            private void Push(Node node)
            {
                CheckHeight(node);
                _stack.Add(node);
            }

            private void CheckHeight(Node node)
            {
                if (node.Height > MaxHeight) throw Fail("expression nests too deeply", 0, _s.Length);
            }

            private int NextRune(int i, out int width)
            {
                char c = _s[i];
                if (char.IsHighSurrogate(c) && i + 1 < _s.Length && char.IsLowSurrogate(_s[i + 1]))
                {
                    width = 2;
                    return char.ConvertToUtf32(c, _s[i + 1]);
                }
                width = 1;
                return c;
            }

            private static int HexValue(int c)
            {
                if (c >= '0' && c <= '9') return c - '0';
                if (c >= 'a' && c <= 'f') return c - 'a' + 10;
                if (c >= 'A' && c <= 'F') return c - 'A' + 10;
                return -1;
            }

            private RegexSyntaxException Fail(string code, int start, int end)
            {
                start = Math.Max(0, Math.Min(start, _s.Length));
                end = Math.Max(start, Math.Min(end, _s.Length));
                return new RegexSyntaxException("error parsing regexp: " + code + ": `" + _s.Substring(start, end - start) + "`");
            }
        }

        private sealed class RegexSyntaxException : Exception
        {
            public RegexSyntaxException(string message)
                : base(message)
            {
            }
        }
    }
}
