using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FanOut.Core.Processing;

namespace FanOut.Benchmarks;

/// <summary><c>wordcount</c>'s partials over a corpus with many distinct words: 64 chunks of 1 MiB, each line 10
/// words drawn uniformly from a vocabulary of <c>distinct</c> words (3 to 12 letters, one in ten with a
/// non-ASCII letter), so every chunk's partial holds ~10^5 words and their merge ~10^6: what a chunk's partial
/// costs to write and weighs, and what the merge of all 64 at the top of the tree costs, then the job's result.</summary>
internal static class PartialsBenchmark
{
    private const int Chunks = 64;
    private const int ChunkBytes = 1 << 20;

    public static string Report(int distinct)
    {
        var chunks = Corpus(distinct);
        IChunkProcessor processor = new WordCountProcessor();
        using var optionsDocument = JsonDocument.Parse("{}");
        var options = optionsDocument.RootElement;
        // A warm-up pass over a few chunks, so the timings below are of tiered-up code.
        for (var round = 0; round < 2; round++)
        {
            processor.Merge([.. chunks.Take(4).Select(c => Partial(processor, options, c, out _, out _))], options);
        }

        var partials = new List<JsonElement>(Chunks);
        double addSeconds = 0, writeSeconds = 0;
        foreach (var chunk in chunks)
        {
            partials.Add(Partial(processor, options, chunk, out var add, out var write));
            (addSeconds, writeSeconds) = (addSeconds + add, writeSeconds + write);
        }
        var sizes = partials.Select(p => (long)p.GetRawText().Length).ToList();
        var merges = new List<double>();
        var mergesCpu = new List<double>();
        JsonElement merged = default;
        for (var round = 0; round < 3; round++)
        {
            var started = Stopwatch.GetTimestamp();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            merged = processor.Merge(partials, options);
            merges.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            mergesCpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
        }
        var finishStarted = Stopwatch.GetTimestamp();
        var result = processor.Finish(merged, options);
        var finish = Stopwatch.GetElapsedTime(finishStarted).TotalSeconds;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        processor.Merge(partials, options);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        // The merge's two halves: reading every partial into one table, and writing that table.
        var table = new WordCountPartial();
        var read = CpuMs(() =>
        {
            table = new WordCountPartial();
            partials.ForEach(p => WordCountPartialJson.AddTo(table, p));
        });
        // The same reading, each partial first into a table of its own, then that table added to the merged one.
        var pairwise = CpuMs(() =>
        {
            var into = new WordCountPartial();
            foreach (var p in partials)
            {
                var one = new WordCountPartial();
                WordCountPartialJson.AddTo(one, p);
                for (var i = 0; i < one.Words.Count; i++)
                {
                    into.Words.ValueAt(into.Words.IndexOf(one.Words.KeyAt(i), out _)) += one.Words.ValueAt(i);
                }
            }
        });
        var writeMs = CpuMs(() => JsonSerializer.SerializeToElement(table, ProcessingJsonContext.Default.WordCountPartial));

        // The same merge over the compact alternative.
        var compact = partials.Select(p =>
        {
            var chunk = new WordCountPartial();
            WordCountPartialJson.AddTo(chunk, p);
            return CompactPartial.Write(chunk.Words, chunk.Total);
        }).ToList();
        JsonElement compactMerged = default;
        var compactMerge = CpuMs(() =>
        {
            var words = new WordTable();
            var total = compact.Sum(p => CompactPartial.AddTo(words, p));
            compactMerged = CompactPartial.Write(words, total);
        });

        return string.Create(CultureInfo.InvariantCulture, $"""
            Partials: {Chunks} chunks of {ChunkBytes:N0} bytes, words drawn from {distinct:N0} distinct; {result.GetProperty("total").GetInt64():N0} words, {result.GetProperty("distinct").GetInt32():N0} distinct in all.

            | measurement | value |
            |---|---:|
            | chunk: adding its records (mean ms) | {addSeconds * 1000 / Chunks:F1} |
            | chunk: writing its partial (mean ms) | {writeSeconds * 1000 / Chunks:F1} |
            | chunk: partial size (mean bytes) | {sizes.Average():N0} |
            | top: merging the {Chunks} partials (median of 3, ms of wall time) | {RunResult.Median(merges) * 1000:F0} |
            | top: merging the {Chunks} partials (median of 3, ms of CPU time) | {RunResult.Median(mergesCpu) * 1000:F0} |
            | top: merged partial size (bytes) | {merged.GetRawText().Length:N0} |
            | top: bytes allocated by one merge | {allocated:N0} |
            | top: of which reading the partials into one table (median of 3, ms of CPU time) | {read:F0} |
            | top: the same reading, each partial into its own table first, then added (median of 3, ms of CPU time) | {pairwise:F0} |
            | top: of which writing the merged table as JSON (median of 3, ms of CPU time) | {writeMs:F0} |
            | job: Finish (result with top 20, ms) | {finish * 1000:F0} |
            | compact alternative: chunk partial size (mean bytes) | {compact.Average(p => (double)p.GetRawText().Length):N0} |
            | compact alternative: top merge, read and write (median of 3, ms of CPU time) | {compactMerge:F0} |
            | compact alternative: merged partial size (bytes) | {compactMerged.GetRawText().Length:N0} |
            """);
    }

    private static double CpuMs(Action action)
    {
        var times = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            action();
            times.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
        }
        return RunResult.Median(times);
    }

    private static JsonElement Partial(IChunkProcessor processor, JsonElement options, List<byte[]> records, out double add, out double write)
    {
        var started = Stopwatch.GetTimestamp();
        var accumulator = processor.Begin(options, RecordSink.Discard);
        foreach (var record in records)
        {
            accumulator.Add(new ChunkRecord(record));
        }
        add = Stopwatch.GetElapsedTime(started).TotalSeconds;
        started = Stopwatch.GetTimestamp();
        var partial = accumulator.Complete();
        write = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return partial;
    }

    private static List<List<byte[]>> Corpus(int distinct)
    {
        var random = new Random(16);
        const string letters = "abcdefghijklmnopqrstuvwxyz";
        var vocabulary = new string[distinct];
        for (var i = 0; i < distinct; i++)
        {
            var word = new StringBuilder();
            var length = random.Next(3, 13);
            for (var j = 0; j < length; j++)
            {
                word.Append(letters[random.Next(letters.Length)]);
            }
            if (i % 10 == 0)
            {
                word[random.Next(length)] = i % 20 == 0 ? 'é' : '東';
            }
            vocabulary[i] = word.ToString();
        }
        var chunks = new List<List<byte[]>>(Chunks);
        for (var c = 0; c < Chunks; c++)
        {
            var records = new List<byte[]>();
            for (var bytes = 0; bytes < ChunkBytes;)
            {
                var line = Encoding.UTF8.GetBytes(string.Join(' ', Enumerable.Range(0, 10).Select(_ => vocabulary[random.Next(distinct)])));
                records.Add(line);
                bytes += line.Length + 1;
            }
            chunks.Add(records);
        }
        return chunks;
    }
}
