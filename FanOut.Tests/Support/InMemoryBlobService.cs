using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace FanOut.Tests.Support;

/// <summary>Source blobs in memory, behind the SDK's own client types (their protected constructors and virtual
/// methods exist for this), so that <c>SourceBlobs</c> runs unchanged: a blob's properties, its listing under a
/// prefix, and reads of a range, If-Match its version (412 when it changed, 404 when it is gone).
/// Only what <c>SourceBlobs</c> calls is here; anything else throws.</summary>
internal sealed class InMemoryBlobService : BlobServiceClient
{
    /// <summary>The input container the orchestration host allows.</summary>
    public const string InputContainer = "inputs";

    private readonly ConcurrentDictionary<(string Container, string Name), (byte[] Content, ETag ETag)> _blobs = new();
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);
    private int _versions;

    /// <summary>Writes (or replaces, with a new version) a blob.</summary>
    public void Put(string name, byte[] content, string container = InputContainer) =>
        _blobs[(container, name)] = (content, new ETag($"\"0x8D{Interlocked.Increment(ref _versions):X12}\""));

    /// <summary>Reads opened on a blob so far.</summary>
    public int Reads(string name) => _reads.GetValueOrDefault(name);

    public override BlobContainerClient GetBlobContainerClient(string blobContainerName) => new Container(this, blobContainerName);

    private sealed class Container(InMemoryBlobService service, string container) : BlobContainerClient
    {
        public override string Name => container;

        public override BlobClient GetBlobClient(string blobName) => new Blob(service, container, blobName);

        public override AsyncPageable<BlobItem> GetBlobsAsync(BlobTraits traits = BlobTraits.None, BlobStates states = BlobStates.None,
            string? prefix = null, CancellationToken cancellationToken = default)
        {
            var items = service._blobs
                .Where(b => b.Key.Container == container && b.Key.Name.StartsWith(prefix ?? "", StringComparison.Ordinal))
                .OrderBy(b => b.Key.Name, StringComparer.Ordinal)
                .Select(b => BlobsModelFactory.BlobItem(
                    name: b.Key.Name,
                    properties: BlobsModelFactory.BlobItemProperties(accessTierInferred: false, contentLength: b.Value.Content.Length, eTag: b.Value.ETag)))
                .ToList();
            return AsyncPageable<BlobItem>.FromPages([Page<BlobItem>.FromValues(items, null, new StubResponse(200))]);
        }
    }

    private sealed class Blob(InMemoryBlobService service, string container, string name) : BlobClient
    {
        public override string Name => name;

        public override string BlobContainerName => container;

        public override Task<Response<BlobProperties>> GetPropertiesAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
        {
            var (content, etag) = Find(conditions);
            var properties = BlobsModelFactory.BlobProperties(contentLength: content.Length, eTag: etag, lastModified: DateTimeOffset.UnixEpoch);
            return Task.FromResult(Response.FromValue(properties, new StubResponse(200)));
        }

        public override Task<Response<BlobDownloadStreamingResult>> DownloadStreamingAsync(BlobDownloadOptions? options = null, CancellationToken cancellationToken = default)
        {
            var (content, etag) = Find(options?.Conditions);
            service._reads.AddOrUpdate(name, 1, (_, n) => n + 1);
            var range = options?.Range ?? default;
            if (range.Offset > 0 && range.Offset >= content.Length)
            {
                throw new RequestFailedException(416, "The range specified is invalid for the current size of the resource.", "InvalidRange", null);
            }
            var length = (int)Math.Min(content.Length - range.Offset, range.Length ?? long.MaxValue);
            var details = BlobsModelFactory.BlobDownloadDetails(contentLength: length, eTag: etag,
                contentRange: $"bytes {range.Offset}-{range.Offset + length - 1}/{content.Length}");
            var result = BlobsModelFactory.BlobDownloadStreamingResult(new MemoryStream(content, (int)range.Offset, length, writable: false), details);
            return Task.FromResult(Response.FromValue(result, new StubResponse(206)));
        }

        private (byte[] Content, ETag ETag) Find(BlobRequestConditions? conditions)
        {
            if (!service._blobs.TryGetValue((container, name), out var blob))
            {
                throw new RequestFailedException(404, "The specified blob does not exist.", "BlobNotFound", null);
            }
            if (conditions?.IfMatch is { } expected && expected != blob.ETag)
            {
                throw new RequestFailedException(412, "The condition specified using HTTP conditional header(s) is not met.", "ConditionNotMet", null);
            }
            return blob;
        }
    }
}
