using System.Text;
using System.Text.Json;
using FanOut.Core.Http;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FanOut.Tests.Requests;

/// <summary>Issue 13: every string of valid JSON text, through every request field. A string that is not Unicode
/// text (a lone surrogate escape, bytes that are not UTF-8) is a 400 problem naming the field; an invalid escape
/// or a raw control character is a 400 malformed-json problem; a valid string (every control character escaped,
/// a surrogate pair) is answered as the field's rules say. Never a 500, and a refusal writes and sends nothing.</summary>
[Collection(StorageCollection.Name)]
public sealed class RequestStringCorpusTests(AzuriteFixture storage, Xunit.Abstractions.ITestOutputHelper output)
{
    // Where the string goes: @ is replaced by its JSON text, quotes included.
    private static readonly string[] Fields =
    [
        """{"action":@,"items":[1]}""",
        """{"action":"start_fanout","jobId":@,"items":[1],"dryRun":true}""",
        """{"action":"start_fanout","processor":@,"items":[1],"dryRun":true}""",
        """{"action":"start_fanout","items":[1],"dryRun":true,@:1}""",
        """{"action":"start_fanout","items":[1],"dryRun":true,"x":@}""",
        """{"action":"start_fanout","items":["a",@],"dryRun":true}""",
        """{"action":"start_fanout","items":[{"k":@}],"dryRun":true}""",
        """{"action":"start_fanout","items":[{@:1}],"dryRun":true}""",
        """{"action":"start_fanout","processor":"wordcount","options":{"top":@},"items":[1],"dryRun":true}""",
        """{"action":"start_fanout","processor":"project","options":{"fields":[@]},"items":[1],"dryRun":true}""",
        """{"action":"start_fanout","processor":"wordcount","options":{@:1},"items":[1],"dryRun":true}""",
        """{"action":"start_fanout","source":{"container":@,"blob":"x.txt"},"dryRun":true}""",
        """{"action":"start_fanout","source":{"container":"inputs","blob":@},"dryRun":true}""",
        """{"action":"start_fanout","source":{"container":"inputs","prefix":@},"dryRun":true}""",
        """{"action":"start_fanout","source":{"container":"inputs","blob":"x.txt","format":@},"dryRun":true}""",
        """{"action":"resume","jobId":@}""",
        """{"items":[@]}""",
        """{"action":"process_chunk","items":["a",@]}""",
        """{"action":"process_chunk","processor":"wordcount","items":[[@]]}""",
        """{"action":"process_chunk","processor":@,"items":[1]}""",
        """{"action":"dispatch","jobId":"j","runId":@,"depth":1}""",
        """{"action":"count_quotes","depth":1,"source":{"container":"inputs","blob":@}}""",
    ];

    // JSON texts of strings that are not Unicode: lone surrogates in every position, and raw bytes that are not UTF-8.
    private static readonly byte[][] NotUnicode =
    [
        .. new[] { @"\ud800", @"\udbff", @"\udc00", @"\udfff", @"a\ud800", @"\ud800a", @"\ud800\u0041", @"\udc00\ud800",
                   @"\ud83d\ude00\ud800", @"\ud800\ud800", @"\ud800\n", @"x\udfffy" }.Select(Quoted),
        .. new[] { new byte[] { 0xFF }, [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [(byte)'a', 0x80] }
            .Select(bytes => (byte[])[(byte)'"', .. bytes, (byte)'"']),
    ];

    // JSON texts that are not valid JSON at all.
    private static readonly byte[][] Malformed =
        [.. new[] { @"\x", @"\u12", @"\uZZZZ", "\u0001", "\t", "\u001f", @"\" }.Select(Quoted)];

    // Valid strings: every control character escaped, DEL, a surrogate pair, escaped and raw non-ASCII text.
    private static readonly byte[][] Valid =
    [
        .. Enumerable.Range(0, 0x20).Select(c => Quoted($@"a\u{c:x4}b")),
        .. new[] { @"\u007f", @"\ud83d\ude00", "\U0001F600", @"\/\b\f\n\r\t\""\\", "é", "" }.Select(Quoted),
    ];

    [Fact]
    public async Task EveryFieldWithEveryString_NeverA500_NotUnicodeIs400NamingAField_RefusalsChangeNothing()
    {
        await new JobBlobs(storage.ConnectionString).UploadAsync("inputs", "x.txt", Encoding.UTF8.GetBytes("one line\n"));
        using var app = CheckedEndpoint.Start(storage);
        var cases = 0;

        foreach (var field in Fields)
        {
            foreach (var (strings, expected) in new[] { (NotUnicode, "validation"), (Malformed, "malformed-json"), (Valid, null) })
            {
                foreach (var text in strings)
                {
                    var body = Substitute(field, text);
                    string What(BatchReply r) => $"{Encoding.UTF8.GetString(body)} -> {r.StatusCode} {Encoding.UTF8.GetString(r.Body)}";
                    var reply = await app.PostAndCheckAsync(body, SignOrNone(body), What);
                    cases++;

                    if (expected is not null)
                    {
                        Assert.True(reply.StatusCode == 400, What(reply));
                        var problem = JsonDocument.Parse(reply.Body).RootElement;
                        Assert.True($"urn:fanout:problem:{expected}" == problem.GetProperty("type").GetString(), What(reply));
                        Assert.True(expected != "validation" || problem.GetProperty("errors").EnumerateObject().Any(), What(reply));
                    }
                }
            }
        }
        output.WriteLine($"{cases} bodies");
    }

    [Theory]
    [InlineData("""{"action":"\ud800","items":[1]}""", "action")]
    [InlineData("""{"action":"start_fanout","items":[1],"\ud800x":1}""", @"\ud800x")]
    [InlineData("""{"items":["a","\udc00"]}""", "items[1]")]
    [InlineData("""{"action":"start_fanout","items":[{"k":["\ud800"]}]}""", "items[0].k[0]")]
    [InlineData("""{"action":"start_fanout","source":{"container":"inputs","blob":"a\ud800"}}""", "source.blob")]
    public async Task LoneSurrogate_Is400NamingWhereItIs(string json, string field)
    {
        using var services = TestServices.Build(new Dictionary<string, string?> { ["FanOut:Storage:InputContainers"] = "inputs" });
        var reply = await services.GetRequiredService<BatchEndpoint>().PostAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), signature: null);

        Assert.Equal(400, reply.StatusCode);
        var errors = JsonDocument.Parse(reply.Body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.ToString());
    }

    // Signed as the app signs its internal calls, so that these reach their handlers; a body the signer cannot read
    // (its envelope holds a string that is not Unicode) goes unsigned: the app refuses it before any signature check.
    private static string? SignOrNone(byte[] body)
    {
        try
        {
            return TestKeys.Sign(Encoding.UTF8.GetString(body));
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static byte[] Quoted(string escaped) => Encoding.UTF8.GetBytes($"\"{escaped}\"");

    private static byte[] Substitute(string template, byte[] text)
    {
        var at = template.IndexOf('@', StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(template[..at]), .. text, .. Encoding.UTF8.GetBytes(template[(at + 1)..])];
    }
}
