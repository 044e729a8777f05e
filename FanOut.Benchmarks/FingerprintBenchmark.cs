using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FanOut.Core.Jobs;
using FanOut.Core.Processing;
using FanOut.Core.Requests;

namespace FanOut.Benchmarks;

/// <summary>A job's fingerprint over a large inline body, for three shapes of item (strings of words, arrays of 16
/// numbers as in the hostile million-array body, small objects whose members are not in order), by the canonical rule
/// and by the legacy one (the request as written), one thread, after one untimed round.</summary>
internal static class FingerprintBenchmark
{
    public static string Run(int count, int rounds)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{count:N0} items per body; {rounds} rounds after a warm-up, one thread.");
        text.AppendLine();
        text.AppendLine("| items | body MiB | fingerprint | ms (median) | rounds (ms) |");
        text.AppendLine("|---|---:|---|---:|---|");
        foreach (var (shape, item) in Shapes)
        {
            var items = Array(count, item);
            var command = new StartFanoutCommand("bench", new CountProcessor(), default, InlineItems.Of(items), 1000, null, 0, 32, 0, 60);
            foreach (var (rule, fingerprint) in Rules)
            {
                var times = new List<double>();
                for (var round = 0; round <= rounds; round++)
                {
                    var started = Stopwatch.GetTimestamp();
                    _ = fingerprint(command);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    Console.Error.WriteLine($"{shape}, {rule} {(round == 0 ? "warm-up" : $"round {round}")}: {ms:F0} ms");
                    if (round > 0)
                    {
                        times.Add(ms);
                    }
                }
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {shape} | {items.Length / 1048576.0:F1} | {rule} | {RunResult.Median(times):F0} | {string.Join(", ", times.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} |");
            }
        }
        return text.ToString();
    }

    private static readonly (string Rule, Func<StartFanoutCommand, string> Fingerprint)[] Rules =
    [
        ("canonical", JobFingerprint.Of),
        ("legacy (as written)", JobFingerprint.Legacy),
    ];

    private static readonly (string Shape, Func<int, string> Item)[] Shapes =
    [
        ("strings", i => JsonSerializer.Serialize($"the quick brown fox {i} jumps")),
        ("arrays of 16 numbers", _ => "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]"),
        ("objects", i => $$"""{"id":{{i}},"name":"item {{i}}","tags":["a","b"],"score":{{i % 100}}.5}"""),
    ];

    private static byte[] Array(int count, Func<int, string> item)
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(item(i));
        }
        return Encoding.UTF8.GetBytes(text.Append(']').ToString());
    }
}
