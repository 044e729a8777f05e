namespace FanOut.Core.Processing;

/// <summary>Equality of JSON numbers by value, on their text: a number is read as sign, significant digits and a
/// power of ten (leading and trailing zeros dropped), so "100", "1e2", "1.00E+2" and "100.0" are equal.</summary>
internal static class JsonNumbers
{
    private const int MaxExponentDigits = 15;

    /// <summary>Whether the JSON numbers <paramref name="a"/> and <paramref name="b"/> have the same value; false when
    /// either has an exponent of more than 15 digits, which this does not read.</summary>
    public static bool TryAreEqual(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, out bool equal)
    {
        equal = true;
        if (a.SequenceEqual(b))
        {
            return true;
        }
        if (!Number.TryRead(a, out var x) || !Number.TryRead(b, out var y))
        {
            return false;
        }
        if (x.IsZero || y.IsZero)
        {
            equal = x.IsZero && y.IsZero;
            return true;
        }
        equal = x.Negative == y.Negative && x.Scale == y.Scale && x.Count == y.Count;
        for (var i = 0; equal && i < x.Count; i++)
        {
            equal = x.Digit(i) == y.Digit(i);
        }
        return true;
    }

    // The digits of integral and fractional part together, significant ones from First (Count of them), times
    // 10^Scale.
    private readonly ref struct Number
    {
        private readonly ReadOnlySpan<byte> _integral;
        private readonly ReadOnlySpan<byte> _fraction;
        private readonly int _first;

        private Number(ReadOnlySpan<byte> integral, ReadOnlySpan<byte> fraction, bool negative, long exponent)
        {
            _integral = integral;
            _fraction = fraction;
            Negative = negative;
            var length = integral.Length + fraction.Length;
            var first = 0;
            while (first < length && At(first) == '0')
            {
                first++;
            }
            var last = length - 1;
            while (last >= first && At(last) == '0')
            {
                last--;
            }
            _first = first;
            Count = last - first + 1;
            Scale = exponent - fraction.Length + (length - 1 - last);
        }

        public bool Negative { get; }

        public int Count { get; }

        public long Scale { get; }

        public bool IsZero => Count <= 0;

        public byte Digit(int i) => At(_first + i);

        public static bool TryRead(ReadOnlySpan<byte> text, out Number number)
        {
            number = default;
            var negative = text[0] == '-';
            var rest = negative ? text[1..] : text;
            var e = rest.IndexOfAny((byte)'e', (byte)'E');
            long exponent = 0;
            if (e >= 0)
            {
                var digits = rest[(e + 1)..];
                var sign = digits[0] == '-' ? -1 : 1;
                digits = digits.TrimStart("+-"u8).TrimStart((byte)'0');
                if (digits.Length > MaxExponentDigits)
                {
                    return false;
                }
                foreach (var digit in digits)
                {
                    exponent = exponent * 10 + (digit - '0');
                }
                exponent *= sign;
                rest = rest[..e];
            }
            var dot = rest.IndexOf((byte)'.');
            number = dot < 0 ? new Number(rest, default, negative, exponent) : new Number(rest[..dot], rest[(dot + 1)..], negative, exponent);
            return true;
        }

        private byte At(int i) => i < _integral.Length ? _integral[i] : _fraction[i - _integral.Length];
    }
}
