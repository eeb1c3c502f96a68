using System;
using System.Security.Cryptography;
using System.Text;

namespace Duri.Ops.Engine
{
    /// <summary>Lower-case hex SHA-256, the one fingerprint used for canary responses and checked files.</summary>
    public static class ContentHash
    {
        private const string HexDigits = "0123456789abcdef";

        public static string Sha256Hex(byte[] content)
        {
            if (content == null) throw new ArgumentNullException(nameof(content));
            byte[] hash;
            using (var sha = SHA256.Create()) hash = sha.ComputeHash(content);
            var chars = new char[hash.Length * 2];
            for (int i = 0; i < hash.Length; i++)
            {
                chars[2 * i] = HexDigits[hash[i] >> 4];
                chars[2 * i + 1] = HexDigits[hash[i] & 15];
            }
            return new string(chars);
        }

        /// <summary>Of the text's UTF-8 bytes.</summary>
        public static string Sha256Hex(string text) => Sha256Hex(Encoding.UTF8.GetBytes(text));
    }
}
