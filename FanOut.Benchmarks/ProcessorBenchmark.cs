using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FanOut.Core.Processing;
using FanOut.Core.Sources;

namespace FanOut.Benchmarks;

/// <summary>The built-in processors on one thread, no storage: <c>wordcount</c> over the benchmark's text file through
/// the record pipeline (<see cref="LineRecords"/> over a FileStream), beside <c>LC_ALL=C wc -w</c> and
/// <c>LC_ALL=C tr -s '[:space:]' '\n' | sort | uniq -c</c> on the same file, the four taking turns to go first; the
/// partials of a corpus with many distinct words (size, write, merge at the top); and the bytes <c>count</c>,
/// <c>project</c> and <c>wordcount</c> allocate per record.</summary>
internal static class ProcessorBenchmark
{
    public static async Task<string> RunAsync(long sizeBytes, int rounds, int distinct)
    {
        var path = await ScanBenchmark.EnsureTextFileAsync(sizeBytes);
        var runs = new (string Name, Func<Task<(Timing Time, string Answer)>> Run)[]
        {
            ("`LC_ALL=C wc -w`", () => Shell($"wc -w < '{path}'")),
            ("`LC_ALL=C tr -s '[:space:]' '\\n' \\| sort \\| uniq -c`", () => Shell($"tr -s '[:space:]' '\\n' < '{path}' | sort | uniq -c")),
            ("wordcount, one thread (its lines read from a FileStream as a chunk reads them, then merge and finish)", () => WordcountAsync(path, "{ \"top\": 10000 }")),
            ("wordcount, `lowercase: true`", () => WordcountAsync(path, "{ \"top\": 10000, \"lowercase\": true }")),
        };
        var seconds = runs.Select(_ => new List<double>()).ToArray();
        var cpu = runs.Select(_ => new List<double>()).ToArray();
        var answers = new string[runs.Length];
        for (var round = 0; round <= rounds; round++)
        {
            for (var i = 0; i < runs.Length; i++)
            {
                var which = (i + round) % runs.Length;
                (var time, answers[which]) = await runs[which].Run();
                if (round > 0)
                {
                    seconds[which].Add(time.Wall);
                    cpu[which].Add(time.Cpu);
                }
            }
            Console.Error.WriteLine($"{(round == 0 ? "warm-up" : $"round {round}")}: "
                                    + string.Join(", ", runs.Select((r, i) => $"{i}: {sizeBytes / seconds[i].LastOrDefault(double.NaN) / 1e6:F0} MB/s")));
        }
        var agreement = Agreement(answers);

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. File: {sizeBytes:N0} bytes of text lines ({path}), from the page cache; {rounds} rounds after one warm-up round, the four runs taking turns to go first.");
        text.AppendLine();
        text.AppendLine("| run | wall s (median) | MB/s of wall time | CPU s (median) | MB/s of CPU time | rounds (wall s / CPU s) |");
        text.AppendLine("|---|---:|---:|---:|---:|---|");
        for (var i = 0; i < runs.Length; i++)
        {
            var (wall, used) = (RunResult.Median(seconds[i]), RunResult.Median(cpu[i]));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {runs[i].Name} | {wall:F2} | {sizeBytes / wall / 1e6:F0} | {used:F2} | {sizeBytes / used / 1e6:F0} | {string.Join(", ", seconds[i].Zip(cpu[i], (w, c) => string.Create(CultureInfo.InvariantCulture, $"{w:F2}/{c:F2}")))} |");
        }
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"**wordcount / wc -w: {Ratio(seconds[0], seconds[2])} of wall time, {Ratio(cpu[0], cpu[2])} of CPU time** (rate over rate: medians, and in brackets per round). Goal: at least 1.0. "
                                               + $"wordcount / tr|sort|uniq: {Ratio(seconds[1], seconds[2])} of wall time, {Ratio(cpu[1], cpu[2])} of CPU time. {agreement}");
        text.AppendLine();
        text.AppendLine(PartialsReport(distinct));
        text.AppendLine();
        text.AppendLine(AllocationsReport());
        return text.ToString();
    }

    public static async Task WordcountOnlyAsync(long sizeBytes, int rounds)
    {
        var path = await ScanBenchmark.EnsureTextFileAsync(sizeBytes);
        for (var round = 0; round < rounds; round++)
        {
            var (time, _) = await WordcountAsync(path, "{}");
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: {sizeBytes / time.Cpu / 1e6:F0} MB/s of CPU time"));
        }
    }

    // Ours over theirs as a rate: their seconds over ours.
    private static string Ratio(List<double> theirs, List<double> ours) => string.Create(CultureInfo.InvariantCulture,
        $"{RunResult.Median(theirs) / RunResult.Median(ours):F2} ({string.Join(", ", theirs.Zip(ours, (t, o) => (t / o).ToString("F2", CultureInfo.InvariantCulture)))})");

    private static async Task<(Timing Time, string Answer)> WordcountAsync(string path, string optionsJson)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        using var options = JsonDocument.Parse(optionsJson);
        IChunkProcessor processor = new WordCountProcessor();
        var started = Stopwatch.GetTimestamp();
        var accumulator = processor.Begin(options.RootElement, RecordSink.Discard);
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            await ChunkLines.ReadAsync(file, file.Length, accumulator);
        }
        var result = processor.Finish(processor.Merge([accumulator.Complete()], options.RootElement), options.RootElement);
        var time = new Timing(Stopwatch.GetElapsedTime(started).TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
        // As uniq -c would list it: "count word" per line, in byte order, so that the two compare as text.
        var lines = result.GetProperty("top").EnumerateArray()
            .Select(w => (Bytes: w.TryGetProperty("bytes", out var hex) ? Convert.FromHexString(hex.GetString()!) : Encoding.UTF8.GetBytes(w.GetProperty("word").GetString()!), Count: w.GetProperty("count").GetInt64()))
            .OrderBy(w => Convert.ToHexString(w.Bytes), StringComparer.Ordinal)
            .Select(w => $"{w.Count} {Convert.ToHexString(w.Bytes)}");
        return (time, $"{result.GetProperty("total").GetInt64()}|{result.GetProperty("distinct").GetInt32()}|{string.Join(";", lines)}");
    }

    // The processor's table must be the oracle's, word for word. wc -w (coreutils 9) counts a word only once it
    // meets a printable character, so in the C locale a word of bytes >= 0x80 alone (東京) is none to it: its total
    // must be ours less exactly those words.
    private static string Agreement(string[] answers)
    {
        var wcTotal = long.Parse(answers[0].Trim(), CultureInfo.InvariantCulture);
        var oracle = answers[1].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimStart(' ').Split(' ', 2))
            .Where(p => p.Length == 2 && p[1].Length > 0)
            .Select(p => (Count: long.Parse(p[0], CultureInfo.InvariantCulture), Bytes: Encoding.UTF8.GetBytes(p[1])))
            .OrderBy(w => Convert.ToHexString(w.Bytes), StringComparer.Ordinal).ToList();
        var total = oracle.Sum(w => w.Count);
        var unprintable = oracle.Where(w => !w.Bytes.Any(b => b is > 0x20 and < 0x7f)).Sum(w => w.Count);
        var expected = $"{total}|{oracle.Count}|{string.Join(";", oracle.Select(w => $"{w.Count} {Convert.ToHexString(w.Bytes)}"))}";
        if (answers[2] != expected || wcTotal != total - unprintable)
        {
            throw new InvalidOperationException($"wordcount disagrees with the oracle: {answers[2][..Math.Min(300, answers[2].Length)]} vs {expected[..Math.Min(300, expected.Length)]}, wc -w {wcTotal}");
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"Counts agree: {total:N0} words, {oracle.Count} distinct, every count equal to uniq -c's; wc -w counts {wcTotal:N0}: the same less the {unprintable:N0} words with no printable ASCII byte (coreutils 9 counts a word once it meets a printable character).");
    }

    // The script under bash's `time`, which counts the CPU time of every process of a pipeline.
    private static async Task<(Timing Time, string Answer)> Shell(string script)
    {
        var times = Path.GetTempFileName();
        var start = new ProcessStartInfo("bash", ["-c", $"TIMEFORMAT='%R %U %S'; {{ time {{ {script} ; }} ; }} 2> '{times}'"]) { RedirectStandardOutput = true };
        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var measured = (await File.ReadAllTextAsync(times)).Trim().Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        File.Delete(times);
        return (new Timing(measured[0], measured[1] + measured[2]), output);
    }

    private readonly record struct Timing(double Wall, double Cpu);

    private static string PartialsReport(int distinct) => PartialsBenchmark.Report(distinct);

    private static string AllocationsReport() => AllocationBenchmark.Report();
}
