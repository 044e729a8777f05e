using System.Diagnostics;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FanOut.Core.Sources;

namespace FanOut.Benchmarks;

/// <summary>The fastest a fan-out over a blob can go here: the byte ranges of its chunks read from Azurite
/// <c>concurrency</c> at a time through one BlobClient, each the way a chunk worker reads its range (a
/// BlobClient.OpenReadAsync stream from one byte before the range, with a read buffer of 1 MiB and the blob's
/// ETag as condition, read 64 KiB at a time up to the range's end), and nothing done with the bytes.</summary>
internal static class RangedReadCeiling
{
    private const int ReadBuffer = 1024 * 1024;
    private const int ReadSize = 64 * 1024;

    /// <summary>Seconds to read every range.</summary>
    public static async Task<double> RunAsync(BlobClient blob, long chunkBytes, int concurrency)
    {
        var properties = (await blob.GetPropertiesAsync()).Value;
        var ranges = Enumerable.Range(0, (int)((properties.ContentLength + chunkBytes - 1) / chunkBytes))
            .Select(i => (Start: i * chunkBytes, End: Math.Min(properties.ContentLength, (i + 1) * chunkBytes))).ToList();
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(ranges, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (range, ct) =>
        {
            var openAt = LineRecords.OpenAt(range.Start);
            await using var stream = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false)
            {
                Position = openAt,
                BufferSize = ReadBuffer,
                Conditions = new BlobRequestConditions { IfMatch = new ETag(properties.ETag.ToString()) },
            }, ct);
            var buffer = new byte[ReadSize];
            for (var position = openAt; position < range.End;)
            {
                var read = await stream.ReadAsync(buffer, ct);
                if (read == 0)
                {
                    break;
                }
                position += read;
            }
        });
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
