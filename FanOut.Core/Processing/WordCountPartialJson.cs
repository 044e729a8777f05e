using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace FanOut.Core.Processing;

/// <summary>Writes and reads a <see cref="WordCountPartial"/> as the JSON it has always had (partials are committed to
/// storage and travel between instances of different builds), straight from and into its table of bytes: a word's
/// UTF-8 bytes are written as the property name, escaped by the writer as it would escape the word's string, and
/// read back unescaped into the table, with no string per word (a name that repeats, which no build writes, adds).</summary>
internal sealed class WordCountPartialJson : JsonConverter<WordCountPartial>
{
    public override void Write(Utf8JsonWriter writer, WordCountPartial value, JsonSerializerOptions options)
    {
        var words = value.Words;
        writer.WriteStartObject();
        writer.WriteNumber("total"u8, value.Total);
        writer.WriteStartObject("words"u8);
        var invalid = 0;
        for (var i = 0; i < words.Count; i++)
        {
            var word = words.KeyAt(i);
            if (!Utf8.IsValid(word))
            {
                invalid++;
                continue;
            }
            writer.WritePropertyName(word);
            writer.WriteNumberValue(words.ValueAt(i));
        }
        writer.WriteEndObject();
        if (invalid > 0)
        {
            writer.WriteStartObject("byteWords"u8);
            for (var i = 0; i < words.Count; i++)
            {
                var word = words.KeyAt(i);
                if (!Utf8.IsValid(word))
                {
                    writer.WritePropertyName(Convert.ToHexStringLower(word));
                    writer.WriteNumberValue(words.ValueAt(i));
                }
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    public override WordCountPartial Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var partial = new WordCountPartial();
        AddTo(partial, ref reader);
        return partial;
    }

    /// <summary>Adds the counts of the partial <paramref name="json"/> to <paramref name="partial"/>: a merge that
    /// reads each word straight into the merged table.</summary>
    public static void AddTo(WordCountPartial partial, JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("A wordcount partial must be a JSON object.");
        }
        var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(json));
        reader.Read();
        AddTo(partial, ref reader);
    }

    private static void AddTo(WordCountPartial partial, ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Property names are matched ignoring case, as the serializer's web defaults did.
            var name = reader.GetString();
            reader.Read();
            if (string.Equals(name, "total", StringComparison.OrdinalIgnoreCase))
            {
                Expect(ref reader, JsonTokenType.Number);
                partial.Total += reader.GetInt64();
            }
            else if (string.Equals(name, "words", StringComparison.OrdinalIgnoreCase))
            {
                ReadCounts(ref reader, partial.Words, hex: false);
            }
            else if (string.Equals(name, "byteWords", StringComparison.OrdinalIgnoreCase))
            {
                ReadCounts(ref reader, partial.Words, hex: true);
            }
            else
            {
                reader.Skip();
            }
        }
        Expect(ref reader, JsonTokenType.EndObject);
    }

    private static void ReadCounts(ref Utf8JsonReader reader, WordTable words, bool hex)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }
        Expect(ref reader, JsonTokenType.StartObject);
        byte[]? buffer = null;
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
                if (buffer is null || buffer.Length < length)
                {
                    if (buffer is not null)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                    buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 256));
                }
                // Unescaped, a name is never longer than as written.
                var name = buffer.AsSpan(0, reader.CopyString(buffer));
                ReadOnlySpan<byte> key = hex ? Convert.FromHexString(System.Text.Encoding.ASCII.GetString(name)) : name;
                reader.Read();
                Expect(ref reader, JsonTokenType.Number);
                words.ValueAt(words.IndexOf(key, out _)) += reader.GetInt64();
            }
            Expect(ref reader, JsonTokenType.EndObject);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"A wordcount partial has {reader.TokenType} where {token} belongs.");
        }
    }
}
