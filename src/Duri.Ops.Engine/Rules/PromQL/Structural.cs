using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>Helpers for the value semantics of syntax nodes.</summary>
    internal static class Structural
    {
        public static ReadOnlyCollection<T> Freeze<T>(IEnumerable<T> items, string parameterName)
        {
            if (items is null) throw new ArgumentNullException(parameterName);
            var copy = items.ToArray();
            foreach (var item in copy)
            {
                if (item is null) throw new ArgumentException("The list must not contain null.", parameterName);
            }
            return Array.AsReadOnly(copy);
        }

        /// <summary>The items of <paramref name="pending"/> from <paramref name="first"/> on, frozen and removed from it.</summary>
        public static ReadOnlyCollection<T> Take<T>(List<T> pending, int first)
        {
            int count = pending.Count - first;
            if (count == 0) return EmptyList<T>.Instance;
            var items = new T[count];
            pending.CopyTo(first, items, 0, count);
            pending.RemoveRange(first, count);
            return Array.AsReadOnly(items);
        }

        /// <summary>One shared empty list per item type; nodes are immutable, so they can share it.</summary>
        public static class EmptyList<T>
        {
            public static readonly ReadOnlyCollection<T> Instance = Array.AsReadOnly(Array.Empty<T>());
        }

        public static bool SameList<T>(IReadOnlyList<T> left, IReadOnlyList<T> right)
        {
            if (left.Count != right.Count) return false;
            var comparer = EqualityComparer<T>.Default;
            for (int i = 0; i < left.Count; i++)
            {
                if (!comparer.Equals(left[i], right[i])) return false;
            }
            return true;
        }

        /// <summary>Bitwise, so that -0 and 0 differ and every NaN equals every other NaN.</summary>
        public static bool SameNumber(double left, double right) =>
            double.IsNaN(left) ? double.IsNaN(right) : BitConverter.DoubleToInt64Bits(left) == BitConverter.DoubleToInt64Bits(right);

        public static int NumberHash(double value) => double.IsNaN(value) ? 0x7ff8 : BitConverter.DoubleToInt64Bits(value).GetHashCode();

        public static int Combine(int seed, int value) => unchecked((seed * 31) + value);

        public static int ListHash<T>(int seed, IReadOnlyList<T> items)
        {
            var comparer = EqualityComparer<T>.Default;
            int hash = Combine(seed, items.Count);
            foreach (var item in items) hash = Combine(hash, item is null ? 0 : comparer.GetHashCode(item));
            return hash;
        }

        public static int StringHash(string? value) => value is null ? 0 : StringComparer.Ordinal.GetHashCode(value);
    }
}
