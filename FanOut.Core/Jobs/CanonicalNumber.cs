using System.Buffers;
using System.Globalization;

namespace FanOut.Core.Jobs;

/// <summary>One spelling of each JSON number's exact decimal value, read from its text and never through a double, so
/// that <c>1</c>, <c>1.0</c>, <c>1e0</c> and <c>10E-1</c> are spelled alike and <c>0.1</c> and
/// <c>0.10000000000000001</c> are not. The value is sign × significant digits × 10^scale (leading and trailing zeros
/// dropped); it is spelled as the digits, then <c>E</c> and the scale unless the scale is 0, except that an integer
/// of at most <see cref="MaxPlainDigits"/> digits is spelled in full: <c>100</c>, <c>15E-1</c>, <c>1E40</c>. Zero is
/// <c>0</c> (<c>-0</c> and <c>0e7</c> included). Each spelling reads back as its value, so two values never share one. The scale is exact at any length: an exponent of a million digits is added to, not parsed,
/// in one pass over its text.</summary>
internal static class CanonicalNumber
{
    /// <summary>Longest integer spelled without an exponent; longer ones, and all fractions, take one.</summary>
    public const int MaxPlainDigits = 32;

    // Exponents of at most this many digits are added to as a long (the scale's own shift is below 2^31).
    private const int LongExponentDigits = 18;

    /// <summary>Whether <paramref name="number"/> (a JSON number's text) is spelled as <see cref="Write"/> spells it:
    /// an integer of at most <see cref="MaxPlainDigits"/> digits, no fraction, no exponent, not <c>-0</c>. Most
    /// numbers in requests are.</summary>
    public static bool IsCanonical(ReadOnlySpan<byte> number)
    {
        var digits = number[0] == (byte)'-' ? number[1..] : number;
        return digits.Length <= MaxPlainDigits && number.IndexOfAny(".eE"u8) < 0 && !(digits.Length < number.Length && digits is [(byte)'0']);
    }

    /// <summary>The canonical spelling of <paramref name="number"/>, a JSON number's text (as a reader checked it),
    /// written to <paramref name="output"/>.</summary>
    public static void Write(ReadOnlySpan<byte> number, IBufferWriter<byte> output)
    {
        if (IsCanonical(number))
        {
            output.Write(number);
            return;
        }
        var negative = number[0] == (byte)'-';
        var rest = negative ? number[1..] : number;
        var e = rest.IndexOfAny((byte)'e', (byte)'E');
        var mantissa = e < 0 ? rest : rest[..e];
        var exponent = e < 0 ? default : rest[(e + 1)..];
        var dot = mantissa.IndexOf((byte)'.');
        var integral = dot < 0 ? mantissa : mantissa[..dot];
        var fraction = dot < 0 ? default : mantissa[(dot + 1)..];

        // The significant digits run from the first non-zero digit of integral·fraction to the last one.
        var (first, last) = (Significant(integral, fraction, fromEnd: false), Significant(integral, fraction, fromEnd: true));
        if (first < 0)
        {
            output.Write("0"u8);
            return;
        }
        var count = last - first + 1;
        // value = digits × 10^(exponent − fraction length + trailing zeros dropped)
        long shift = integral.Length + fraction.Length - 1 - last - fraction.Length;

        // At most: sign, the digits, "E-", and the exponent's digits plus a carry (or the plain integer's zeros).
        var span = output.GetSpan(number.Length + MaxPlainDigits + 4);
        var at = 0;
        if (negative)
        {
            span[at++] = (byte)'-';
        }
        for (var i = first; i <= last; i++)
        {
            span[at++] = i < integral.Length ? integral[i] : fraction[i - integral.Length];
        }
        var exponentNegative = exponent.Length > 0 && exponent[0] == (byte)'-';
        var exponentDigits = exponent.TrimStart("+-"u8).TrimStart((byte)'0');
        if (exponentDigits.Length <= LongExponentDigits)
        {
            var scale = Parse(exponentDigits) * (exponentNegative ? -1 : 1) + shift;
            if (scale >= 0 && count + scale <= MaxPlainDigits)
            {
                span.Slice(at, (int)scale).Fill((byte)'0');
                at += (int)scale;
            }
            else if (scale != 0)
            {
                span[at++] = (byte)'E';
                at += scale.TryFormat(span[at..], out var written, provider: CultureInfo.InvariantCulture) ? written : 0;
            }
        }
        else
        {
            // |exponent| ≥ 10^18 > |shift|: the scale has the exponent's sign and its magnitude is |exponent| ± |shift|.
            span[at++] = (byte)'E';
            if (exponentNegative)
            {
                span[at++] = (byte)'-';
            }
            at += AddSmall(exponentDigits, exponentNegative ? -shift : shift, span[at..]);
        }
        output.Advance(at);
    }

    // Index (in integral·fraction) of the first (or last) digit that is not 0, or -1 when all are.
    private static int Significant(ReadOnlySpan<byte> integral, ReadOnlySpan<byte> fraction, bool fromEnd)
    {
        if (fromEnd)
        {
            var inFraction = fraction.LastIndexOfAnyExcept((byte)'0');
            return inFraction >= 0 ? integral.Length + inFraction : integral.LastIndexOfAnyExcept((byte)'0');
        }
        var inIntegral = integral.IndexOfAnyExcept((byte)'0');
        if (inIntegral >= 0)
        {
            return inIntegral;
        }
        var inFractionFirst = fraction.IndexOfAnyExcept((byte)'0');
        return inFractionFirst < 0 ? -1 : integral.Length + inFractionFirst;
    }

    private static long Parse(ReadOnlySpan<byte> digits)
    {
        long value = 0;
        foreach (var digit in digits)
        {
            value = value * 10 + (digit - '0');
        }
        return value;
    }

    // Writes digits + delta (digits: a decimal of more than 18 digits, no leading zero; |delta| < 2^32, so the sum is
    // positive) to destination; returns its length. Digit by digit from the right while there is a carry, the rest
    // copied, then a move over a dropped leading zero.
    private static int AddSmall(ReadOnlySpan<byte> digits, long delta, Span<byte> destination)
    {
        var carry = delta;
        var length = digits.Length + 1;
        var i = digits.Length - 1;
        for (; i >= 0 && carry != 0; i--)
        {
            var sum = digits[i] - '0' + carry;
            var digit = (int)(((sum % 10) + 10) % 10);
            carry = (sum - digit) / 10;
            destination[i + 1] = (byte)('0' + digit);
        }
        digits[..(i + 1)].CopyTo(destination[1..]);
        destination[0] = (byte)('0' + carry);   // 0 or 1: the sum has at most one more digit
        var leading = destination[..length].IndexOfAnyExcept((byte)'0');
        destination[leading..length].CopyTo(destination);
        return length - leading;
    }
}
