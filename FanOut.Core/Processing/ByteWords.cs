using System.Buffers;
using System.Text;

namespace FanOut.Core.Processing;

/// <summary>The words of <c>wordcount</c> that are not valid UTF-8: counted by their exact bytes, and written in
/// lower-case hex, so distinct byte strings stay distinct words (text would turn every invalid sequence into the one
/// U+FFFD).</summary>
internal static class ByteWords
{
    /// <summary>The word of <paramref name="hex"/> as text, with U+FFFD for each invalid sequence: for reading only.</summary>
    public static string Readable(string hex) => Encoding.UTF8.GetString(Convert.FromHexString(hex));

    /// <summary>Each valid character lower-cased (invariant culture), the invalid bytes kept as they are.</summary>
    public static byte[] Lowercase(ReadOnlySpan<byte> word)
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
