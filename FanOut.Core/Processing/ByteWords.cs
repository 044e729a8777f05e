using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace FanOut.Core.Processing;

/// <summary>The words of a <c>wordcount</c> record that is not valid UTF-8, split on bytes: each word that is
/// valid UTF-8 is counted as text, as in any other record; each that is not is counted by its exact bytes, in
/// lower-case hex, so distinct byte strings stay distinct words (text would turn every invalid sequence into
/// the one U+FFFD).</summary>
internal static class ByteWords
{
    private static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t\n\v\f\r"u8);

    /// <summary>Adds each word of <paramref name="record"/> to its count; answers how many words there were.</summary>
    public static long Count(ReadOnlySpan<byte> record, WordCountPartial partial, bool lowercase)
    {
        long total = 0;
        foreach (var range in record.SplitAny(Whitespace))
        {
            var word = record[range];
            if (word.IsEmpty)
            {
                continue;
            }
            total++;
            if (Utf8.IsValid(word))
            {
                var text = lowercase ? Encoding.UTF8.GetString(word).ToLowerInvariant() : Encoding.UTF8.GetString(word);
                partial.Words[text] = partial.Words.GetValueOrDefault(text) + 1;
                continue;
            }
            var key = Convert.ToHexStringLower(lowercase ? Lowercase(word) : word);
            partial.ByteWords ??= new(StringComparer.Ordinal);
            partial.ByteWords[key] = partial.ByteWords.GetValueOrDefault(key) + 1;
        }
        return total;
    }

    /// <summary>The word of <paramref name="hex"/> as text, with U+FFFD for each invalid sequence: for reading only.</summary>
    public static string Readable(string hex) => Encoding.UTF8.GetString(Convert.FromHexString(hex));

    // Each valid character lower-cased (invariant culture), the invalid bytes kept as they are.
    private static byte[] Lowercase(ReadOnlySpan<byte> word)
    {
        var lowered = new ArrayBufferWriter<byte>(word.Length + 8);
        while (!word.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(word, out var rune, out var used);
            if (status == OperationStatus.Done)
            {
                var size = Rune.ToLowerInvariant(rune).EncodeToUtf8(lowered.GetSpan(4));
                lowered.Advance(size);
            }
            else
            {
                lowered.Write(word[..used]);
            }
            word = word[used..];
        }
        return lowered.WrittenSpan.ToArray();
    }
}
