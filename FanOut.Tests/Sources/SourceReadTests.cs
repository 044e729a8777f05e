using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Sources;
using FanOut.Tests.Support;
using Microsoft.Extensions.Options;

namespace FanOut.Tests.Sources;

/// <summary>How a chunk reads its range of a source blob, against Azurite through the real SDK, its requests counted
/// on the wire: one streamed GET per range (the SDK's buffered stream asked for one per megabyte, and in Azurite cost
/// four times the CPU), a record that runs far past the range read on in segments, the blob's end found without a
/// request past it, and a blob replaced mid-read refused as such (412), not taken for a storage failure.</summary>
[Collection(StorageCollection.Name)]
public sealed class SourceReadTests(AzuriteFixture storage)
{
    private const string Inputs = "inputs";
    private readonly GetCounter _gets = new();

    [Fact]
    public async Task EachRange_IsOneGet_AndTheRangesTogetherHoldEveryLineOnce()
    {
        var random = new Random(16);
        var lines = Enumerable.Range(0, 6000).Select(i => $"{i}:" + new string((char)('a' + (i % 26)), random.Next(0, 1200))).ToList();
        var (source, length) = await UploadAsync(string.Join("\n", lines) + "\n");
        const long chunkBytes = 256 * 1024;
        var ranges = (int)((length + chunkBytes - 1) / chunkBytes);

        var read = new List<string>();
        for (var i = 0; i < ranges; i++)
        {
            read.AddRange(await RecordsAsync(source with { Start = i * chunkBytes, End = Math.Min(length, (i + 1) * chunkBytes) }));
        }

        Assert.Equal(lines, read);
        Assert.Equal(ranges, _gets.Count);
    }

    [Fact]
    public async Task ARecordFarLongerThanTheRange_IsReadOnInMegabyteSegments()
    {
        var longLine = new string('x', 3 * 1024 * 1024);
        var (source, _) = await UploadAsync($"a\n{longLine}\nb\n");

        var records = await RecordsAsync(source with { Start = 0, End = 1024 * 1024 });

        Assert.Equal(["a", longLine], records);
        // The range and its 64 KiB tail, then two segments of 1 MiB reach the newline after the long line.
        Assert.Equal(3, _gets.Count);
    }

    [Fact]
    public async Task TheLastRange_EndsAtTheBlobsEnd_WithoutAGetPastIt()
    {
        var (source, length) = await UploadAsync("one\ntwo\nthree without a newline");

        var records = await RecordsAsync(source with { Start = 5, End = length });

        Assert.Equal(["three without a newline"], records);
        Assert.Equal(1, _gets.Count);
    }

    [Fact]
    public async Task AnEmptyBlob_HasNoRecords()
    {
        var (source, _) = await UploadAsync("");

        Assert.Empty(await RecordsAsync(source with { Start = 0, End = 0 }));
    }

    [Fact]
    public async Task ABlobReplacedBetweenSegments_Is412_NotAStorageFailure()
    {
        var (source, _) = await UploadAsync("a\n" + new string('x', 2 * 1024 * 1024) + "\n");
        var sources = Sources();
        await using var stream = await sources.OpenReadAsync(source, 0, CancellationToken.None, until: 4096);
        var buffer = new byte[64 * 1024];
        Assert.True(await stream.ReadAsync(buffer) > 0);

        await Container().GetBlobClient(source.Blob).UploadAsync(BinaryData.FromString("replaced\n"), overwrite: true);
        var refused = await Assert.ThrowsAsync<RequestFailedException>(async () =>
        {
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        });

        Assert.Equal(412, refused.Status);
    }

    private async Task<List<string>> RecordsAsync(SourceReference range)
    {
        var records = new List<string>();
        await using var stream = await Sources().OpenReadAsync(range, LineRecords.OpenAt(range.Start), CancellationToken.None, range.End);
        await LineRecords.ReadAsync(stream, range.Start, range.End, record => records.Add(Encoding.UTF8.GetString(record)));
        return records;
    }

    private async Task<(SourceReference Source, long Length)> UploadAsync(string text)
    {
        var blob = Container().GetBlobClient($"reads/{Guid.NewGuid():N}.txt");
        await Container().CreateIfNotExistsAsync();
        var uploaded = await blob.UploadAsync(BinaryData.FromString(text));
        _gets.Reset();
        return (new SourceReference { Container = Inputs, Blob = blob.Name, Format = SourceFormat.Lines, ETag = uploaded.Value.ETag.ToString() }, Encoding.UTF8.GetByteCount(text));
    }

    private SourceBlobs Sources()
    {
        var options = new BlobClientOptions();
        options.AddPolicy(_gets, HttpPipelinePosition.PerRetry);
        return new SourceBlobs(new BlobServiceClient(storage.ConnectionString, options),
            Options.Create(new FanOutOptions { Storage = new StorageOptions { InputContainers = Inputs } }));
    }

    private BlobContainerClient Container() => new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient(Inputs);

    // GET requests sent, retries included.
    private sealed class GetCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Reset() => Interlocked.Exchange(ref _count, 0);

        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Method == RequestMethod.Get)
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}
