using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>PromQL string literals: Go's quoting rules, for quotes the lexer has already checked.</summary>
    internal static class StringLiterals
    {
        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, true);

        /// <summary>
        /// The value of the string token of <paramref name="length"/> characters at <paramref name="start"/> in <paramref name="source"/>,
        /// which the lexer has checked. Octal and <c>\x</c> escapes give bytes, as in Go; when those bytes are not UTF-8
        /// the result carries U+FFFD for them and <paramref name="validUtf8"/> is false (Go keeps the raw bytes).
        /// </summary>
        public static string Unquote(string source, int start, int length, out bool validUtf8)
        {
            validUtf8 = true;
            char quote = source[start];
            if (quote == '`' || source.IndexOf('\\', start + 1, length - 2) < 0) return source.Substring(start + 1, length - 2);
            string body = source.Substring(start + 1, length - 2);

            var bytes = new List<byte>(body.Length);
            var utf8 = new byte[4];
            for (int i = 0; i < body.Length; i++)
            {
                char c = body[i];
                if (c != '\\')
                {
                    int count = char.IsHighSurrogate(c) && i + 1 < body.Length
                        ? Encoding.UTF8.GetBytes(body, i++, 2, utf8, 0)
                        : Encoding.UTF8.GetBytes(body, i, 1, utf8, 0);
                    for (int k = 0; k < count; k++) bytes.Add(utf8[k]);
                    continue;
                }
                char e = body[++i];
                switch (e)
                {
                    case 'a': bytes.Add(7); break;
                    case 'b': bytes.Add(8); break;
                    case 'f': bytes.Add(12); break;
                    case 'n': bytes.Add(10); break;
                    case 'r': bytes.Add(13); break;
                    case 't': bytes.Add(9); break;
                    case 'v': bytes.Add(11); break;
                    case 'x':
                        bytes.Add((byte)int.Parse(body.Substring(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 2;
                        break;
                    case 'u':
                    case 'U':
                        {
                            int digits = e == 'u' ? 4 : 8;
                            int codePoint = int.Parse(body.Substring(i + 1, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                            int count = Encoding.UTF8.GetBytes(char.ConvertFromUtf32(codePoint), 0, codePoint > 0xFFFF ? 2 : 1, utf8, 0);
                            for (int k = 0; k < count; k++) bytes.Add(utf8[k]);
                            i += digits;
                            break;
                        }
                    default:
                        if (e >= '0' && e <= '7')
                        {
                            bytes.Add((byte)(((e - '0') * 64) + ((body[i + 1] - '0') * 8) + (body[i + 2] - '0')));
                            i += 2;
                        }
                        else
                        {
                            // The escaped quote or backslash stands for itself.
                            bytes.Add((byte)e);
                        }
                        break;
                }
            }
            var array = bytes.ToArray();
            try
            {
                return Strict.GetString(array);
            }
            catch (DecoderFallbackException)
            {
                validUtf8 = false;
                return Encoding.UTF8.GetString(array);
            }
        }

        /// <summary>A double-quoted literal that the lexer accepts and that unquotes to <paramref name="value"/>.</summary>
        public static string Quote(string value)
        {
            var sb = new StringBuilder(value.Length + 2);
            sb.Append('"');
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                        {
                            sb.Append(c).Append(value[++i]);
                        }
                        else if (c < 0x20 || c == 0x7F || char.IsSurrogate(c) || c == '\uFFFD' || char.GetUnicodeCategory(c) == UnicodeCategory.Format)
                        {
                            // U+FFFD is how Go reports bad UTF-8, so the lexer refuses it written out; lone surrogates cannot be written at all.
                            sb.Append("\\u").Append(((int)(char.IsSurrogate(c) ? '\uFFFD' : c)).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }
                        break;
                }
            }
            return sb.Append('"').ToString();
        }
    }
}
