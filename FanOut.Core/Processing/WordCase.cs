using System.Text;
using System.Text.Unicode;

namespace FanOut.Core.Processing;

/// <summary><c>wordcount</c>'s <c>lowercase</c>, on a word's bytes, with the meaning it had when words were
/// strings: a word that is valid UTF-8 is lower-cased as text, each UTF-16 code unit (or surrogate pair) by the
/// invariant culture's simple case mapping (<see cref="string.ToLowerInvariant"/>, so "İ" stays "İ" and the
/// Kelvin sign becomes "k"); a word that is not is lower-cased rune by rune, its invalid bytes kept
/// (<see cref="ByteWords.Lowercase"/>). For ASCII, which is all most words are, that is A-Z to a-z, and
/// <see cref="WordCountPartial.AddLowercase"/> does it without calling here.</summary>
internal static class WordCase
{
    /// <summary>The lower-cased bytes of <paramref name="word"/>.</summary>
    public static byte[] Lower(ReadOnlySpan<byte> word) =>
        Utf8.IsValid(word) ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(word).ToLowerInvariant()) : ByteWords.Lowercase(word);
}
