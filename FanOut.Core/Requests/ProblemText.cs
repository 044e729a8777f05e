namespace FanOut.Core.Requests;

/// <summary>Text that goes into a problem answer, cut to a size its JSON can never outgrow, whatever the request
/// echoed into it (a field name of megabytes, control characters that JSON writes six bytes each).</summary>
internal static class ProblemText
{
    /// <summary>Most JSON bytes of a field name in <c>errors</c>.</summary>
    public const int MaxNameBytes = 128;

    /// <summary>Most JSON bytes of one message.</summary>
    public const int MaxMessageBytes = 512;

    /// <summary>Most JSON bytes of a problem's <c>detail</c>.</summary>
    public const int MaxDetailBytes = 4096;

    private const string Ellipsis = "…";

    /// <summary><paramref name="text"/>, or as much of it as fits in <paramref name="maxJsonBytes"/> written as a
    /// JSON string, then "…". Counted pessimistically, so that the cut holds for any encoder: a printable ASCII
    /// character is one byte, any other six (its <c>\uXXXX</c> escape). A surrogate pair is never split.</summary>
    public static string Clip(string text, int maxJsonBytes)
    {
        if (Fits(text, maxJsonBytes, out _))
        {
            return text;
        }
        Fits(text, maxJsonBytes - Width('…'), out var cut);
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }
        return string.Concat(text.AsSpan(0, cut), Ellipsis);
    }

    // Whether all of text fits; else how many characters do.
    private static bool Fits(string text, int maxJsonBytes, out int fitting)
    {
        var width = 0;
        for (var i = 0; i < text.Length; i++)
        {
            width += Width(text[i]);
            if (width > maxJsonBytes)
            {
                fitting = i;
                return false;
            }
        }
        fitting = text.Length;
        return true;
    }

    private static int Width(char c) => c is >= ' ' and < '\u007f' and not ('"' or '\\') ? 1 : 6;
}
