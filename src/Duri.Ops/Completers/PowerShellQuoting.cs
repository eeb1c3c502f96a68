using System.Management.Automation.Language;
using System.Text;
using System.Text.RegularExpressions;

namespace Duri.Ops.Completers
{
    internal enum QuoteKind
    {
        None,
        Single,
        Double,
    }

    /// <summary>
    /// Turns a completed value back into PowerShell source. A completion replaces what was typed, so it must
    /// parse back to the same string: quoted when a bare word would not, in the quotes the user chose.
    /// </summary>
    internal static class PowerShellQuoting
    {
        private const string SingleQuotes = "'\u2018\u2019\u201A\u201B";
        private const string DoubleQuotes = "\"\u201C\u201D\u201E";

        // Starts with a letter so that it is neither a number (1kb) nor a parameter (-x); no character that
        // ends or changes a bare argument.
        private static readonly Regex BareWord = new Regex(@"^[A-Za-z_][A-Za-z0-9_.:/\-]*$", RegexOptions.CultureInvariant);

        /// <summary>
        /// The string value of a word to complete, and the quotes it was opened with. PowerShell hands over a
        /// quoted word with its value unescaped and a closing quote added, typed or not.
        /// </summary>
        public static string Unquote(string word, out QuoteKind quote)
        {
            quote = word.Length == 0 ? QuoteKind.None
                : SingleQuotes.IndexOf(word[0]) >= 0 ? QuoteKind.Single
                : DoubleQuotes.IndexOf(word[0]) >= 0 ? QuoteKind.Double
                : QuoteKind.None;
            if (quote == QuoteKind.None) return word;
            var quotes = quote == QuoteKind.Single ? SingleQuotes : DoubleQuotes;
            int end = word.Length > 1 && quotes.IndexOf(word[word.Length - 1]) >= 0 ? word.Length - 1 : word.Length;
            return word.Substring(1, end - 1);
        }

        /// <summary>
        /// <paramref name="value"/> as PowerShell source in <paramref name="quote"/>; without quotes only when it
        /// reads back as itself, else in single quotes. <paramref name="leaveOpen"/> keeps off the closing quote.
        /// </summary>
        public static string Quote(string value, QuoteKind quote, bool leaveOpen = false)
        {
            if (quote == QuoteKind.None)
            {
                if (BareWord.IsMatch(value)) return value;
                quote = QuoteKind.Single;
                leaveOpen = false;
            }
            if (quote == QuoteKind.Single)
            {
                return "'" + CodeGeneration.EscapeSingleQuotedStringContent(value) + (leaveOpen ? string.Empty : "'");
            }
            var text = new StringBuilder("\"");
            foreach (char c in value)
            {
                if (c == '`' || c == '$' || DoubleQuotes.IndexOf(c) >= 0) text.Append('`');
                text.Append(c);
            }
            if (!leaveOpen) text.Append('"');
            return text.ToString();
        }
    }
}
