using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FanOut.Core.Sources;
using FanOut.LocalHost.Hosting;

namespace FanOut.Benchmarks;

/// <summary>Ways of reading a blob's chunk ranges from Azurite, side by side in one run: the SDK's buffered stream
/// (<c>OpenReadAsync</c>, one GET per buffer, the buffer copied out) at 1 MiB and 4 MiB, against the read path chunk
/// workers use (<c>SourceBlobs.OpenReadAsync</c>: one streamed GET per range), each with the wall time and the CPU
/// seconds of this process (the client) and of Azurite.</summary>
internal static class ReadPathBenchmark
{
    public static async Task<string> RunAsync(long sizeBytes, long chunkBytes, int concurrency, int rounds)
    {
        var file = await ScanBenchmark.EnsureTextFileAsync(sizeBytes);
        await using var azurite = await AzuriteProcess.StartAsync();
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("inputs");
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("big.txt");
        await blob.UploadAsync(file, overwrite: true);
        int[] pids = [Environment.ProcessId, .. ProcessCpu.Descendants("node")];
        var paths = new (string Name, Func<Task> Run)[]
        {
            ("SDK OpenReadAsync, 1 MiB buffer (the read path before)", () => OpenReadAsync(blob, chunkBytes, concurrency, 1 << 20)),
            ("SDK OpenReadAsync, 4 MiB buffer", () => OpenReadAsync(blob, chunkBytes, concurrency, 4 << 20)),
            ("SourceBlobs.OpenReadAsync: one streamed GET per range (the read path now)", () => RangedReadCeiling.RunAsync(blob, chunkBytes, concurrency)),
        };
        var measured = paths.Select(_ => new List<double[]>()).ToArray();
        for (var round = 0; round <= rounds; round++)
        {
            // Each round starts with the next path, so none always goes first.
            for (var turn = 0; turn < paths.Length; turn++)
            {
                var i = (turn + round) % paths.Length;
                var before = ProcessCpu.Seconds(pids);
                var started = Stopwatch.GetTimestamp();
                await paths[i].Run();
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                var after = ProcessCpu.Seconds(pids);
                Console.Error.WriteLine($"{(round == 0 ? "warm-up" : $"round {round}")}: {paths[i].Name}: {seconds:F2} s");
                if (round > 0)
                {
                    measured[i].Add([seconds, after[0] - before[0], after.Skip(1).Sum() - before.Skip(1).Sum()]);
                }
            }
        }
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Blob: {sizeBytes:N0} bytes in Azurite, its {(sizeBytes + chunkBytes - 1) / chunkBytes} ranges of {chunkBytes:N0} bytes read {concurrency} at a time, 64 KiB per read, nothing done with the bytes; {rounds} rounds after one warm-up round, the paths taking turns to go first; medians.");
        text.AppendLine();
        text.AppendLine("| read path | seconds | MB/s | CPU s, client | CPU s, Azurite |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        for (var i = 0; i < paths.Length; i++)
        {
            double Median(int column) => RunResult.Median(measured[i].Select(m => m[column]));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {paths[i].Name} | {Median(0):F2} | {sizeBytes / Median(0) / 1e6:F0} | {Median(1):F2} | {Median(2):F2} |");
        }
        return text.ToString();
    }

    private static async Task OpenReadAsync(BlobClient blob, long chunkBytes, int concurrency, int bufferSize)
    {
        var properties = (await blob.GetPropertiesAsync()).Value;
        var ranges = Enumerable.Range(0, (int)((properties.ContentLength + chunkBytes - 1) / chunkBytes))
            .Select(i => (Start: i * chunkBytes, End: Math.Min(properties.ContentLength, (i + 1) * chunkBytes)));
        await Parallel.ForEachAsync(ranges, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (range, ct) =>
        {
            var openAt = LineRecords.OpenAt(range.Start);
            await using var stream = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false)
            {
                Position = openAt,
                BufferSize = bufferSize,
                Conditions = new BlobRequestConditions { IfMatch = properties.ETag },
            }, ct);
            await RangedReadCeiling.DrainAsync(stream, range.End - openAt, ct);
        });
    }
}
