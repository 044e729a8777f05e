using System.Text;

namespace FanOut.Tests.Support;

/// <summary>Records that are hard to read as text, each knowing what it is: NDJSON objects that are valid, and ones
/// whose strings escape a lone surrogate (values and names), hold invalid UTF-8 (a stray byte, an overlong form,
/// a cut sequence, an encoded surrogate), words of every whitespace and control byte, and lines of random bytes
/// (every value but '\n'). Seeded, so a failure repeats.</summary>
internal static class HostileCorpus
{
    /// <summary>One record: its bytes (no '\n'), and the id of a valid JSON object (null: project counts it invalid).</summary>
    public sealed record Record(byte[] Bytes, int? ValidId);

    private static readonly string[] LoneSurrogates =
        [@"\ud800", @"\udbff", @"\udc00", @"\udfff", @"\ud800\u0041", @"x\ud83d", @"\ude00y", @"\ud800\ud800"];

    private static readonly byte[][] InvalidUtf8 =
        [[0xff], [0xfe, 0xfe], [0x80], [0xc0, 0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98]];

    private static readonly string[] ValidNames =
        ["plain", "café", @"caf\u00e9", @"\ud83d\ude00 pair", @"back\\ud800slash", "tab\\there", "日本語", "a b  c"];

    public static List<Record> Generate(int seed, int count)
    {
        var random = new Random(seed);
        var records = new List<Record>(count);
        for (var id = 0; id < count; id++)
        {
            records.Add((id % 6) switch
            {
                0 => Json(id, ValidNames[random.Next(ValidNames.Length)], valid: true),
                1 => Json(id, "w" + LoneSurrogates[random.Next(LoneSurrogates.Length)] + "w", valid: false),
                2 => new Record([.. Utf8($$"""{"id":{{id}},"name":"a"""), .. InvalidUtf8[random.Next(InvalidUtf8.Length)], .. Utf8("""b"}""")], null),
                3 => new Record(Utf8($$"""{"{{LoneSurrogates[random.Next(LoneSurrogates.Length)]}}":{{id}}}"""), null),
                4 => new Record(Controls(random), null),
                _ => new Record(RandomBytes(random), null),
            });
        }
        return records;
    }

    /// <summary>The records as a text file: each followed by '\n'.</summary>
    public static byte[] Lines(IEnumerable<Record> records) => [.. records.SelectMany(r => r.Bytes.Append((byte)'\n'))];

    private static Record Json(int id, string name, bool valid) => new(Utf8($$"""{"id":{{id}},"name":"{{name}}","n":{{id % 7}}}"""), valid ? id : null);

    // Words joined by every ASCII control byte but '\n' (the whitespace among them splits words, the rest do not), and DEL.
    private static byte[] Controls(Random random)
    {
        var bytes = new List<byte>();
        foreach (var control in Enumerable.Range(0, 32).Append(127).Where(b => b != '\n').OrderBy(_ => random.Next()))
        {
            bytes.AddRange(Utf8(random.Next(3) == 0 ? "ä" : "w"));
            bytes.Add((byte)control);
        }
        return [(byte)'x', .. bytes];
    }

    // Any byte but '\n'; it starts with 'x', so it is never a JSON object.
    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 40)];
        random.NextBytes(bytes);
        bytes[0] = (byte)'x';
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = bytes[i] == (byte)'\n' ? (byte)'\v' : bytes[i];
        }
        return bytes;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
