using System.Text;
using System.Text.Json;
using CsCheck;
using FanOut.Core.Requests;

namespace FanOut.Tests.Requests;

/// <summary>A request's items are kept as the bytes that were sent (issue 13: a body is never parsed whole): each item
/// must come out exactly as a JSON document of the whole array would give it, and be written into a job's
/// fingerprint exactly as <see cref="JsonElement.WriteTo"/> wrote it, so that a job stored before stays the same job.</summary>
public sealed class InlineItemsTests
{
    private static readonly string[] Whitespace = ["", " ", "\n", "\r\n\t "];
    private static readonly string[] StringPieces =
        ["a", "Z9", " ", "\\\"", "\\\\", "\\/", "/", "\\u00e9", "é", "東京", "😀", "\\ud83d\\ude00", "<", ">", "&", "'", "+", "`", "\\n", "\\u0041", ",", "]", "[", "{", "%"];
    private static readonly string[] Numbers = ["0", "-1", "42", "1.5", "1e5", "1E+05", "-0.0", "123456789012345678901234567890", "6.02e-23"];

    // Any JSON array (strings with escapes, non-ASCII and what the default encoder escapes; numbers as written;
    // whitespace between every token), from a seed.
    private static readonly Gen<string> Arrays = Gen.Int.Select(seed =>
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        Value(random, text, depth: 0, forceArray: true);
        return text.ToString();
    });

    [Fact]
    public void Items_OfAnyArray_AreEachItemsBytesAsAWholeDocumentGivesThem()
    {
        Arrays.Sample(json =>
        {
            using var document = JsonDocument.Parse(json);
            var expected = document.RootElement.EnumerateArray().Select(item => item.GetRawText()).ToList();

            var items = InlineItems.Of(Encoding.UTF8.GetBytes(json));

            Assert.Equal(expected.Count, items.Count);
            Assert.Equal(expected, items.Select(item => Encoding.UTF8.GetString(item.Span)).ToList());
        }, iter: 2000);
    }

    [Fact]
    public void WriteTo_AnyItem_WritesWhatJsonElementWriteToWrites()
    {
        Arrays.Sample(json =>
        {
            using var document = JsonDocument.Parse(json);

            Assert.Equal(Written(writer => document.RootElement.WriteTo(writer)), Written(writer =>
            {
                writer.WriteStartArray();
                foreach (var item in InlineItems.Of(Encoding.UTF8.GetBytes(json)))
                {
                    InlineItems.WriteTo(writer, item.Span);
                }
                writer.WriteEndArray();
            }));
        }, iter: 2000);
    }

    [Theory]
    [InlineData("[]", 0)]
    [InlineData("[ \n ]", 0)]
    [InlineData("[1]", 1)]
    [InlineData("[ \"a,]\" , [1,[2]] ,{\"k\":\"]\"}\n]", 3)]
    public void Of_CountsTheItems(string json, int count) =>
        Assert.Equal(count, InlineItems.Of(Encoding.UTF8.GetBytes(json)).Count);

    private static string Written(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Value(Random random, StringBuilder text, int depth, bool forceArray = false)
    {
        var kind = forceArray ? 0 : random.Next(depth >= 3 ? 2 : 0, 7);
        switch (kind)
        {
            case 0 or 1:
                var isArray = forceArray || kind == 0;
                text.Append(isArray ? '[' : '{');
                var count = random.Next(0, forceArray ? 8 : 4);
                for (var i = 0; i < count; i++)
                {
                    text.Append(i > 0 ? "," : "").Append(Pick(random, Whitespace));
                    if (!isArray)
                    {
                        String(random, text);
                        text.Append(Pick(random, Whitespace)).Append(':').Append(Pick(random, Whitespace));
                    }
                    Value(random, text, depth + 1);
                    text.Append(Pick(random, Whitespace));
                }
                text.Append(isArray ? ']' : '}');
                break;
            case 2 or 3:
                String(random, text);
                break;
            case 4:
                text.Append(Pick(random, Numbers));
                break;
            default:
                text.Append(Pick(random, ["true", "false", "null"]));
                break;
        }
    }

    private static void String(Random random, StringBuilder text)
    {
        text.Append('"');
        for (var n = random.Next(0, 5); n > 0; n--)
        {
            text.Append(Pick(random, StringPieces));
        }
        text.Append('"');
    }

    private static string Pick(Random random, string[] choices) => choices[random.Next(choices.Length)];
}
