using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using FanOut.Core.Processing;

namespace FanOut.Benchmarks;

/// <summary>The alternative to wordcount's JSON object partial that <see cref="PartialsBenchmark"/> measures it
/// against: the table as one JSON string, base64url (which JSON need not escape) of each word's length (LEB128), bytes and count (LEB128) in
/// table order. No escaping and no tokenizer; what it costs is base64 and losing a readable, compatible partial.</summary>
internal static class CompactPartial
{
    public static JsonElement Write(WordTable words, long total)
    {
        var bytes = new ArrayBufferWriter<byte>();
        Varint(bytes, (ulong)total);
        for (var i = 0; i < words.Count; i++)
        {
            var word = words.KeyAt(i);
            Varint(bytes, (ulong)word.Length);
            bytes.Write(word);
            Varint(bytes, (ulong)words.ValueAt(i));
        }
        return JsonSerializer.SerializeToElement(System.Buffers.Text.Base64Url.EncodeToString(bytes.WrittenSpan));
    }

    /// <summary>Adds the partial's counts to <paramref name="words"/>; answers its total.</summary>
    public static long AddTo(WordTable words, JsonElement partial)
    {
        var base64 = JsonMarshal.GetRawUtf8Value(partial)[1..^1];
        var rented = ArrayPool<byte>.Shared.Rent(base64.Length);
        System.Buffers.Text.Base64Url.DecodeFromUtf8(base64, rented, out _, out var length);
        var rest = rented.AsSpan(0, length);
        var total = (long)Read(ref rest);
        while (!rest.IsEmpty)
        {
            var size = (int)Read(ref rest);
            var word = rest[..size];
            rest = rest[size..];
            words.ValueAt(words.IndexOf(word, out _)) += (long)Read(ref rest);
        }
        ArrayPool<byte>.Shared.Return(rented);
        return total;
    }

    private static void Varint(ArrayBufferWriter<byte> bytes, ulong value)
    {
        var span = bytes.GetSpan(10);
        var i = 0;
        for (; value >= 0x80; value >>= 7)
        {
            span[i++] = (byte)(value | 0x80);
        }
        span[i++] = (byte)value;
        bytes.Advance(i);
    }

    private static ulong Read(ref Span<byte> rest)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = rest[0];
            rest = rest[1..];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
