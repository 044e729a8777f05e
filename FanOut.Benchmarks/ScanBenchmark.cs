using System.Diagnostics;
using System.Globalization;
using System.Text;
using FanOut.Core.Sources;

namespace FanOut.Benchmarks;

/// <summary>The planner's record scan against <c>wc -l</c> over the same local file, alternating, after
/// one untimed read of each so both run from the page cache.</summary>
internal static class ScanBenchmark
{
    public static async Task<string> RunAsync(long sizeBytes, int rounds)
    {
        var path = await EnsureTextFileAsync(sizeBytes);
        var scanner = new List<double>();
        var wc = new List<double>();
        long lines = 0, records = 0;
        for (var round = 0; round <= rounds; round++)
        {
            var (w, count) = await WcAsync(path);
            var started = Stopwatch.GetTimestamp();
            await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
            {
                records = (await LineBoundaryScanner.ScanAsync(file, 1000)).Records;
            }
            var s = Stopwatch.GetElapsedTime(started).TotalSeconds;
            lines = count;
            Console.Error.WriteLine($"{(round == 0 ? "warm-up" : $"round {round}")}: wc -l {sizeBytes / w / 1e6:F0} MB/s, scanner {sizeBytes / s / 1e6:F0} MB/s");
            if (round > 0)
            {
                wc.Add(sizeBytes / w / 1e6);
                scanner.Add(sizeBytes / s / 1e6);
            }
        }
        if (lines != records)
        {
            throw new InvalidOperationException($"the scanner counted {records} records, wc -l {lines} lines");
        }
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"File: {sizeBytes:N0} bytes, {lines:N0} lines (both counts agree); {rounds} rounds, alternating, from the page cache.");
        text.AppendLine();
        text.AppendLine("| measurement | MB/s (median) | rounds (MB/s) |");
        text.AppendLine("|---|---:|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| `wc -l` | {RunResult.Median(wc):F0} | {string.Join(", ", wc.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| planner scan (LineBoundaryScanner, chunkSize 1000) | {RunResult.Median(scanner):F0} | {string.Join(", ", scanner.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))} |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"**Scanner / wc -l: {RunResult.Median(scanner) / RunResult.Median(wc):F2}** (ratio of the medians). Goal: at least 0.80.");
        return text.ToString();
    }

    /// <summary>A local file of text lines of the given size, written once and kept in the temp folder.</summary>
    public static async Task<string> EnsureTextFileAsync(long sizeBytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"fanout-scan-{sizeBytes}.txt");
        if (!File.Exists(path) || new FileInfo(path).Length != sizeBytes)
        {
            Console.Error.WriteLine($"writing {path} ({sizeBytes:N0} bytes of text lines)...");
            await WriteTextAsync(path, sizeBytes);
        }
        return path;
    }

    private static async Task<(double Seconds, long Lines)> WcAsync(string path)
    {
        var start = new ProcessStartInfo("wc", ["-l", path]) { RedirectStandardOutput = true };
        start.Environment["LC_ALL"] = "C";
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, long.Parse(output.Split(' ', 2)[0], CultureInfo.InvariantCulture));
    }

    // Lines of 0 to 160 words-ish characters: an ordinary text file's shape.
    private static async Task WriteTextAsync(string path, long size)
    {
        var random = new Random(1);
        var words = new[] { "alpha", "beta", "gamma", "delta", "fan", "out", "chunk", "record", "über", "東京" };
        await using var file = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        long written = 0;
        var line = new StringBuilder();
        while (written < size)
        {
            line.Clear();
            var count = random.Next(0, 25);
            for (var i = 0; i < count; i++)
            {
                line.Append(words[random.Next(words.Length)]).Append(' ');
            }
            var bytes = Encoding.UTF8.GetByteCount(line.ToString()) + 1;
            if (written + bytes > size)
            {
                line.Clear().Append('x', (int)Math.Max(0, size - written - 1));
                bytes = (int)(size - written);
            }
            await file.WriteAsync(line.ToString());
            await file.WriteAsync('\n');
            written += bytes;
        }
    }
}
