using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FanOut.Core.Processing;

namespace FanOut.Benchmarks;

/// <summary>Bytes allocated per record on the hot path (<see cref="GC.GetAllocatedBytesForCurrentThread"/> around
/// the adds of one chunk, after a warm-up chunk), and the rate, for <c>count</c>, <c>project</c> and <c>wordcount</c>.</summary>
internal static class AllocationBenchmark
{
    private const int Records = 400_000;

    public static string Report()
    {
        var random = new Random(3);
        var words = new[] { "alpha", "beta", "gamma", "delta", "fan", "out", "chunk", "record", "über", "東京" };
        var lines = Enumerable.Range(0, Records).Select(_ => Encoding.UTF8.GetBytes(string.Join(' ', Enumerable.Range(0, random.Next(0, 25)).Select(_ => words[random.Next(words.Length)])))).ToList();
        var json = Enumerable.Range(0, Records).Select(i => Encoding.UTF8.GetBytes($$"""{"id":{{i}},"name":"n{{i % 97}}","ok":{{(i % 3 == 0 ? "true" : "false")}},"user":{"name":"u{{i % 13}}","tags":["a","b"]},"score":{{i * 0.5}}}""")).ToList();
        var text = new StringBuilder("| processor (records) | bytes allocated per record | MB/s of wall time | MB/s of CPU time |\n|---|---:|---:|---:|\n");
        text.AppendLine(Row(new CountProcessor(), "{}", lines, "count (text lines)"));
        text.AppendLine(Row(new WordCountProcessor(), "{}", lines, "wordcount (text lines)"));
        text.AppendLine(Row(new WordCountProcessor(), """{ "lowercase": true }""", lines, "wordcount, lowercase (text lines)"));
        text.AppendLine(Row(new ProjectProcessor(), """{ "fields": ["id", "user.name"] }""", json, "project, 2 fields (NDJSON)"));
        text.AppendLine(Row(new ProjectProcessor(), """{ "fields": ["id", "user"], "where": { "field": "ok", "equals": true } }""", json, "project, where + an object field (NDJSON)"));
        return text.ToString();
    }

    private static string Row(IChunkProcessor processor, string optionsJson, List<byte[]> records, string name)
    {
        using var options = JsonDocument.Parse(optionsJson);
        var output = new CountingSink();
        double seconds = 0, cpu = 0;
        long allocated = 0;
        for (var round = 0; round < 3; round++)
        {
            var accumulator = processor.Begin(options.RootElement, output);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            foreach (var record in records)
            {
                accumulator.Add(new ChunkRecord(record));
            }
            (seconds, allocated) = (Stopwatch.GetElapsedTime(started).TotalSeconds, GC.GetAllocatedBytesForCurrentThread() - before);
            cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            accumulator.Complete();
        }
        var bytes = records.Sum(r => (long)r.Length + 1);
        return string.Create(CultureInfo.InvariantCulture, $"| {name} | {(double)allocated / records.Count:F1} | {bytes / seconds / 1e6:F0} | {bytes / cpu / 1e6:F0} |");
    }

    private sealed class CountingSink : IRecordSink
    {
        public long Bytes { get; private set; }

        public void Write(ReadOnlySpan<byte> record) => Bytes += record.Length;
    }
}
