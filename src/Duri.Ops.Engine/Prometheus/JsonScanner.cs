using System;
using System.Collections.Generic;
using System.Text;

namespace Duri.Ops.Engine.Prometheus
{
    /// <summary>Thrown by <see cref="JsonScanner"/> for anything that is not the JSON it expects.</summary>
    internal sealed class JsonScanException : Exception
    {
        public JsonScanException(string message, int position)
            : base($"{message} at byte {position}.")
        {
            Position = position;
        }

        public int Position { get; }
    }

    /// <summary>
    /// A forward-only JSON reader over a UTF-8 buffer, shaped for the Prometheus API: it reads the
    /// sample arrays of a range query in one tight loop instead of token by token, which is what lets
    /// the client parse an answer faster, and with fewer allocations, than building a JsonDocument.
    /// </summary>
    internal sealed class JsonScanner
    {
        private readonly byte[] _buffer;
        private readonly int _end;
        private int _pos;

        public JsonScanner(byte[] buffer, int length)
        {
            _buffer = buffer;
            _end = length;
        }

        public int Position => _pos;

        public byte PeekSignificant()
        {
            SkipWhitespace();
            if (_pos >= _end) throw Error("Unexpected end of JSON");
            return _buffer[_pos];
        }

        public void ExpectEnd()
        {
            SkipWhitespace();
            if (_pos != _end) throw Error("Unexpected data after the JSON value");
        }

        public void BeginObject() => Expect((byte)'{', "an object");

        public void BeginArray() => Expect((byte)'[', "an array");

        /// <summary>Moves to the next member of the current object; false (and consumed '}') at its end.</summary>
        public bool NextMember(out string name)
        {
            name = string.Empty;
            if (!NextItem((byte)'}')) return false;
            name = ReadString();
            Expect((byte)':', "':'");
            return true;
        }

        /// <summary>Moves to the next element of the current array; false (and consumed ']') at its end.</summary>
        public bool NextElement() => NextItem((byte)']');

        private bool NextItem(byte close)
        {
            SkipWhitespace();
            if (_pos >= _end) throw Error("Unexpected end of JSON");
            if (_buffer[_pos] == close)
            {
                _pos++;
                return false;
            }
            // The first item follows the opening bracket directly; every later one follows a comma.
            if (PreviousSignificant() != (close == (byte)'}' ? (byte)'{' : (byte)'['))
            {
                if (_buffer[_pos] != (byte)',') throw Error("Expected ',' or '" + (char)close + "'");
                _pos++;
                SkipWhitespace();
            }
            return true;
        }

        private byte PreviousSignificant()
        {
            int p = _pos - 1;
            while (p >= 0 && IsWhitespace(_buffer[p])) p--;
            return p >= 0 ? _buffer[p] : (byte)0;
        }

        public string ReadString()
        {
            var span = ReadStringRaw(out bool escaped);
            return escaped ? Unescape(span) : Utf8(span);
        }

        /// <summary>Reads a string or null (as null).</summary>
        public string? ReadStringOrNull()
        {
            if (PeekSignificant() == (byte)'n')
            {
                ExpectLiteral("null");
                return null;
            }
            return ReadString();
        }

        private ReadOnlySpan<byte> ReadStringRaw(out bool escaped)
        {
            escaped = false;
            SkipWhitespace();
            if (_pos >= _end || _buffer[_pos] != (byte)'"') throw Error("Expected a string");
            int start = ++_pos;
            while (true)
            {
                if (_pos >= _end) throw Error("Unterminated string");
                byte b = _buffer[_pos];
                if (b == (byte)'"') break;
                if (b == (byte)'\\')
                {
                    escaped = true;
                    _pos += 2;
                    continue;
                }
                if (b < 0x20) throw Error("Control character in string");
                _pos++;
            }
            var span = new ReadOnlySpan<byte>(_buffer, start, _pos - start);
            _pos++;
            return span;
        }

        public double ReadNumber()
        {
            var span = ReadNumberRaw();
            if (!PrometheusValue.TryParse(span, out double value)) throw Error("Invalid number");
            return value;
        }

        /// <summary>A Prometheus float sent as a JSON string ("1.5", "NaN", "+Inf"), or a plain JSON number.</summary>
        public double ReadFloatString()
        {
            if (PeekSignificant() != (byte)'"') return ReadNumber();
            int at = _pos;
            var span = ReadStringRaw(out bool escaped);
            bool ok = escaped
                ? PrometheusValue.TryParse(Unescape(span), out double value)
                : PrometheusValue.TryParse(span, out value);
            if (!ok) throw new JsonScanException("Invalid sample value", at);
            return value;
        }

        public long ReadUnixSecondsAsMilliseconds()
        {
            int at = _pos;
            var span = ReadNumberRaw();
            if (!PrometheusValue.TryParseUnixSecondsToMilliseconds(span, out long ms))
                throw new JsonScanException("Invalid timestamp", at);
            return ms;
        }

        public bool ReadBoolean()
        {
            byte b = PeekSignificant();
            if (b == (byte)'t') { ExpectLiteral("true"); return true; }
            if (b == (byte)'f') { ExpectLiteral("false"); return false; }
            throw Error("Expected true or false");
        }

        /// <summary>Reads one <c>[time, "value"]</c> pair.</summary>
        public PrometheusSample ReadSample()
        {
            BeginArray();
            long ms = ReadUnixSecondsAsMilliseconds();
            Expect((byte)',', "',' inside a sample");
            double value = ReadFloatString();
            Expect((byte)']', "']' closing a sample");
            return new PrometheusSample(ms, value);
        }

        /// <summary>Reads <c>[[t,"v"],...]</c> into a buffer reused across series; returns an exact-size copy.</summary>
        public PrometheusSample[] ReadSampleArray(ref PrometheusSample[] scratch)
        {
            BeginArray();
            int count = 0;
            while (true)
            {
                // The compact form Prometheus writes takes the fast path; anything else (whitespace, escapes,
                // the closing bracket, errors) is read from the same position by the general code.
                if (!TryReadCompactSample(count != 0, out PrometheusSample sample))
                {
                    if (!NextElement()) break;
                    sample = ReadSample();
                }
                if (count == scratch.Length) Array.Resize(ref scratch, Math.Max(16, scratch.Length * 2));
                scratch[count++] = sample;
            }
            if (count == 0) return Array.Empty<PrometheusSample>();
            var result = new PrometheusSample[count];
            Array.Copy(scratch, result, count);
            return result;
        }

        /// <summary>
        /// Reads <c>,[1700000000.25,"0.5"]</c> (the comma unless first) exactly as Prometheus writes it: no
        /// whitespace, no escapes, integer seconds with up to 15 digits and up to 3 fraction digits. Returns
        /// false, having consumed nothing, for anything else, which the general reader then handles (or rejects)
        /// as before; the samples read here are the ones it would read.
        /// </summary>
        private bool TryReadCompactSample(bool needsComma, out PrometheusSample sample)
        {
            sample = default;
            byte[] b = _buffer;
            int end = _end;
            int p = _pos;
            if (needsComma)
            {
                if (p >= end || b[p] != (byte)',') return false;
                p++;
            }
            if (p >= end || b[p] != (byte)'[') return false;
            p++;
            int start = p;
            long seconds = 0;
            while (p < end)
            {
                uint d = (uint)(b[p] - '0');
                if (d > 9) break;
                seconds = seconds * 10 + d;
                p++;
            }
            if (p == start || p - start > 15) return false;
            long fraction = 0;
            if (p < end && b[p] == (byte)'.')
            {
                int fractionStart = ++p;
                while (p < end)
                {
                    uint d = (uint)(b[p] - '0');
                    if (d > 9) break;
                    fraction = fraction * 10 + d;
                    p++;
                }
                int fractionDigits = p - fractionStart;
                if (fractionDigits == 0 || fractionDigits > 3) return false;
                if (fractionDigits == 1) fraction *= 100;
                else if (fractionDigits == 2) fraction *= 10;
            }
            if (end - p < 2 || b[p] != (byte)',' || b[p + 1] != (byte)'"') return false;
            p += 2;
            int valueStart = p;
            while (true)
            {
                if (p >= end) return false;
                byte c = b[p];
                if (c == (byte)'"') break;
                if (c == (byte)'\\' || c < 0x20) return false;
                p++;
            }
            int valueEnd = p;
            if (end - p < 2 || b[p + 1] != (byte)']') return false;
            if (!PrometheusValue.TryParse(new ReadOnlySpan<byte>(b, valueStart, valueEnd - valueStart), out double value)) return false;
            sample = new PrometheusSample(seconds * 1000 + fraction, value);
            _pos = p + 2;
            return true;
        }

        public LabelSet ReadLabelSet(List<KeyValuePair<string, string>> scratch)
        {
            scratch.Clear();
            SkipWhitespace();
            int start = _pos;
            BeginObject();
            while (NextMember(out string name)) scratch.Add(new KeyValuePair<string, string>(name, ReadString()));
            if (!LabelSet.TryFromUnsorted(scratch, out var labels, out string repeatedName)) throw new JsonScanException($"Label '{repeatedName}' appears twice in one label set", start);
            return labels;
        }

        public List<string> ReadStringArray()
        {
            var list = new List<string>();
            if (PeekSignificant() == (byte)'n')
            {
                ExpectLiteral("null");
                return list;
            }
            BeginArray();
            while (NextElement()) list.Add(ReadString());
            return list;
        }

        public void SkipValue()
        {
            byte b = PeekSignificant();
            switch (b)
            {
                case (byte)'{':
                    BeginObject();
                    while (NextMember(out _)) SkipValue();
                    break;
                case (byte)'[':
                    BeginArray();
                    while (NextElement()) SkipValue();
                    break;
                case (byte)'"':
                    ReadStringRaw(out _);
                    break;
                case (byte)'t': ExpectLiteral("true"); break;
                case (byte)'f': ExpectLiteral("false"); break;
                case (byte)'n': ExpectLiteral("null"); break;
                default:
                    ReadNumberRaw();
                    break;
            }
        }

        private ReadOnlySpan<byte> ReadNumberRaw()
        {
            SkipWhitespace();
            int start = _pos;
            while (_pos < _end)
            {
                byte b = _buffer[_pos];
                if ((b >= (byte)'0' && b <= (byte)'9') || b == (byte)'-' || b == (byte)'+' || b == (byte)'.' || b == (byte)'e' || b == (byte)'E')
                    _pos++;
                else
                    break;
            }
            if (_pos == start) throw Error("Expected a value");
            return new ReadOnlySpan<byte>(_buffer, start, _pos - start);
        }

        private void ExpectLiteral(string literal)
        {
            SkipWhitespace();
            if (_end - _pos < literal.Length) throw Error("Expected " + literal);
            for (int i = 0; i < literal.Length; i++)
            {
                if (_buffer[_pos + i] != (byte)literal[i]) throw Error("Expected " + literal);
            }
            _pos += literal.Length;
        }

        private void Expect(byte b, string what)
        {
            SkipWhitespace();
            if (_pos >= _end || _buffer[_pos] != b) throw Error("Expected " + what);
            _pos++;
        }

        private void SkipWhitespace()
        {
            while (_pos < _end && IsWhitespace(_buffer[_pos])) _pos++;
        }

        private static bool IsWhitespace(byte b) => b == (byte)' ' || b == (byte)'\n' || b == (byte)'\r' || b == (byte)'\t';

        private JsonScanException Error(string message) => new JsonScanException(message, _pos);

        internal static unsafe string Utf8(ReadOnlySpan<byte> span)
        {
            if (span.Length == 0) return string.Empty;
            fixed (byte* p = span) return Encoding.UTF8.GetString(p, span.Length);
        }

        private string Unescape(ReadOnlySpan<byte> span)
        {
            var sb = new StringBuilder(span.Length);
            int runStart = 0;
            for (int i = 0; i < span.Length; i++)
            {
                if (span[i] != (byte)'\\') continue;
                sb.Append(Utf8(span.Slice(runStart, i - runStart)));
                if (i + 1 >= span.Length) throw Error("Bad escape in string");
                byte e = span[++i];
                switch (e)
                {
                    case (byte)'"': sb.Append('"'); break;
                    case (byte)'\\': sb.Append('\\'); break;
                    case (byte)'/': sb.Append('/'); break;
                    case (byte)'b': sb.Append('\b'); break;
                    case (byte)'f': sb.Append('\f'); break;
                    case (byte)'n': sb.Append('\n'); break;
                    case (byte)'r': sb.Append('\r'); break;
                    case (byte)'t': sb.Append('\t'); break;
                    case (byte)'u':
                        if (i + 4 >= span.Length) throw Error("Bad \\u escape in string");
                        int code = 0;
                        for (int k = 1; k <= 4; k++)
                        {
                            int h = HexValue(span[i + k]);
                            if (h < 0) throw Error("Bad \\u escape in string");
                            code = code * 16 + h;
                        }
                        sb.Append((char)code);
                        i += 4;
                        break;
                    default:
                        throw Error("Bad escape in string");
                }
                runStart = i + 1;
            }
            sb.Append(Utf8(span.Slice(runStart)));
            return sb.ToString();
        }

        private static int HexValue(byte b)
        {
            if (b >= (byte)'0' && b <= (byte)'9') return b - '0';
            if (b >= (byte)'a' && b <= (byte)'f') return b - 'a' + 10;
            if (b >= (byte)'A' && b <= (byte)'F') return b - 'A' + 10;
            return -1;
        }
    }
}
