using System.Text;
using System.Text.Json;

namespace FanOut.Tests.Support;

/// <summary>Inline jobs of the orchestration tests, and their answers computed here with LINQ, independently of
/// the processors: word frequencies split on ASCII whitespace, record and UTF-8 byte counts.</summary>
internal static class InlineJobs
{
    private static readonly char[] Whitespace = [' ', '\t', '\n', '\v', '\f', '\r'];

    private static readonly string[] Vocabulary =
        [.. "the quick brown fox jumps over lazy dog and then some café naïve 日本 émigré Straße zebra alpha beta gamma delta The FOX Dog"
            .Split(' '), "tab\tseparated", "line\nbreak", "x", "yy", "zzz"];

    /// <summary>Items of random words and whitespace (seeded): some empty, some with several separators, some non-ASCII.</summary>
    public static string[] Words(int count, int seed = 1)
    {
        var random = new Random(seed);
        var items = new string[count];
        for (var i = 0; i < count; i++)
        {
            var text = new StringBuilder();
            for (var w = random.Next(0, 6); w > 0; w--)
            {
                text.Append(Vocabulary[random.Next(Vocabulary.Length)]).Append(random.Next(8) switch { 0 => "  ", 1 => "\t", 2 => "\r\n", _ => " " });
            }
            items[i] = random.Next(10) == 0 ? " " + text : text.ToString();
        }
        return items;
    }

    /// <summary>The start_fanout body of an inline job.</summary>
    public static string Start(string jobId, string processor, IReadOnlyList<string> items, int chunkSize,
        double? toleratedFailurePercent = null, int? maxConcurrency = null, int? toleratedFailureCount = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["action"] = "start_fanout",
            ["jobId"] = jobId,
            ["processor"] = processor,
            ["chunkSize"] = chunkSize,
            ["items"] = items,
            // Every distinct word listed, so the whole frequency table is compared.
            ["options"] = processor == "wordcount" ? new Dictionary<string, int> { ["top"] = 10_000 } : null,
            ["toleratedFailurePercent"] = toleratedFailurePercent,
            ["maxConcurrency"] = maxConcurrency,
            ["toleratedFailureCount"] = toleratedFailureCount,
        }.Where(p => p.Value is not null).ToDictionary());

    /// <summary>The resume body of a job.</summary>
    public static string Resume(string jobId) => JsonSerializer.Serialize(new { action = "resume", jobId });

    /// <summary>The items of the given chunks.</summary>
    public static IEnumerable<string> ItemsOf(IReadOnlyList<string> items, int chunkSize, IEnumerable<int> chunks) =>
        chunks.SelectMany(chunk => items.Skip(chunk * chunkSize).Take(chunkSize));

    /// <summary>What <c>wordcount</c> answers for the items (with every distinct word listed).</summary>
    public static string WordCount(IEnumerable<string> items)
    {
        var words = items.SelectMany(item => item.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries)).ToList();
        var top = words.GroupBy(w => w, StringComparer.Ordinal)
            .Select(g => new { word = g.Key, count = (long)g.Count() })
            .OrderByDescending(w => w.count).ThenBy(w => w.word, StringComparer.Ordinal)
            .ToList();
        return Canonical(JsonSerializer.SerializeToElement(new { total = (long)words.Count, distinct = top.Count, top }));
    }

    /// <summary>What <c>count</c> answers for the items.</summary>
    public static string Count(IEnumerable<string> items)
    {
        var list = items.ToList();
        return Canonical(JsonSerializer.SerializeToElement(new { records = (long)list.Count, bytes = list.Sum(i => (long)Encoding.UTF8.GetByteCount(i)) }));
    }

    /// <summary>The oracle's answer for a processor.</summary>
    public static string Expected(string processor, IEnumerable<string> items) => processor == "wordcount" ? WordCount(items) : Count(items);

    /// <summary>JSON text in one form (properties in order, no spaces), to compare answers by.</summary>
    public static string Canonical(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => JsonSerializer.Serialize(p.Name) + ":" + Canonical(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Canonical)) + "]",
        JsonValueKind.String => JsonSerializer.Serialize(element.GetString()),
        _ => element.GetRawText(),
    };
}
