using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Sources;
using Microsoft.Extensions.Options;

namespace FanOut.Benchmarks;

/// <summary>The fastest a fan-out over a blob can go here: the byte ranges of its chunks read from Azurite
/// <c>concurrency</c> at a time through one BlobServiceClient, each through the very code a chunk worker reads its
/// range with (<c>SourceBlobs.OpenReadAsync</c>: one streamed GET from one byte before the range to a little past
/// its end, If-Match the blob's ETag), read 64 KiB at a time up to the range's end, and nothing done with the
/// bytes.</summary>
internal static class RangedReadCeiling
{
    private const int ReadSize = 64 * 1024;

    /// <summary>Seconds to read every range.</summary>
    public static async Task<double> RunAsync(BlobClient blob, long chunkBytes, int concurrency)
    {
        var sources = SourcesOf(blob);
        var properties = (await blob.GetPropertiesAsync()).Value;
        var ranges = Enumerable.Range(0, (int)((properties.ContentLength + chunkBytes - 1) / chunkBytes))
            .Select(i => new SourceReference
            {
                Container = blob.BlobContainerName, Blob = blob.Name, Format = SourceFormat.Lines, ETag = properties.ETag.ToString(),
                Start = i * chunkBytes, End = Math.Min(properties.ContentLength, (i + 1) * chunkBytes),
            }).ToList();
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(ranges, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (range, ct) =>
        {
            var openAt = LineRecords.OpenAt(range.Start);
            await using var stream = await sources.OpenReadAsync(range, openAt, ct, range.End);
            await DrainAsync(stream, range.End - openAt, ct);
        });
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Reads <paramref name="length"/> bytes (or to the end) of <paramref name="stream"/>, 64 KiB at a time, and drops them.</summary>
    public static async Task DrainAsync(Stream stream, long length, CancellationToken cancellationToken)
    {
        var buffer = new byte[ReadSize];
        for (long position = 0; position < length;)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                break;
            }
            position += read;
        }
    }

    /// <summary>The chunk workers' source reader, allowed <paramref name="blob"/>'s container.</summary>
    public static SourceBlobs SourcesOf(BlobClient blob) =>
        new(blob.GetParentBlobContainerClient().GetParentBlobServiceClient(),
            Options.Create(new FanOutOptions { Storage = new StorageOptions { InputContainers = blob.BlobContainerName } }));
}
