using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FanOut.Core.Configuration;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Ledger;

/// <summary>The ledger's container in Blob Storage, and the few ways its four stores (<see cref="BlobJobStore"/>,
/// <see cref="BlobChunkStore"/>, <see cref="BlobRunStore"/>, <see cref="BlobSignalStore"/>) read and write a blob:
/// whole JSON reads and writes, a write only if the blob is new (If-None-Match: *), a compare-and-swap (If-Match), and
/// a delete. One instance for the app, so the container is created once, on first use. Every storage failure
/// surfaces as <see cref="StorageUnavailableException"/>.</summary>
internal sealed class LedgerBlobs(BlobServiceClient service, IOptions<FanOutOptions> options)
{
    /// <summary>The headers of a JSON blob.</summary>
    public static readonly BlobHttpHeaders Json = new() { ContentType = "application/json" };

    /// <summary>The headers of a blob of JSON lines (an output part, a progress log).</summary>
    public static readonly BlobHttpHeaders Ndjson = new() { ContentType = "application/x-ndjson" };

    // Rounds of read, decide, conditional write before a contended update (the marker, the result, the notice) gives up.
    private const int UpdateAttempts = 5;
    private static readonly BlobRequestConditions IfNew = new() { IfNoneMatch = ETag.All };

    private readonly BlobContainerClient _container = service.GetBlobContainerClient(options.Value.Storage.Container);
    private volatile Task? _created;

    /// <summary>The blob as JSON, or null when there is none.</summary>
    public Task<T?> ReadAsync<T>(string name, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) where T : class =>
        GuardAsync(async () =>
        {
            try
            {
                var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(name);
                var content = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
                return JsonSerializer.Deserialize(content.ToMemory().Span, typeInfo);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
        });

    /// <summary>Writes (or replaces) the blob as JSON.</summary>
    public Task WriteAsync<T>(string name, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            var content = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
            await UploadAsync(name, content, new BlobUploadOptions { HttpHeaders = Json }, cancellationToken).ConfigureAwait(false);
            return true;
        });

    /// <summary>Removes the blob if it is there; true when it was.</summary>
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        GuardAsync<bool>(async () => (await (await ContainerAsync(cancellationToken).ConfigureAwait(false))
            .GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value);

    /// <summary>Uploads only if the blob does not exist (If-None-Match: *); false when it did. Not guarded: a store calls it
    /// within <see cref="GuardAsync{T}"/>.</summary>
    public async Task<bool> TryUploadNewAsync(string name, BinaryData content, IDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        try
        {
            var options = new BlobUploadOptions { Conditions = IfNew, HttpHeaders = Json, Metadata = metadata };
            await UploadAsync(name, content, options, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>Read, decide, write with If-Match on the ETag read (If-None-Match: * when there was none); when another writer got
    /// in between, decide again on what it wrote. Null when <paramref name="decide"/> declined, or the blob stayed contended.</summary>
    public Task<T?> TryUpdateAsync<T>(string name, JsonTypeInfo<T> typeInfo, Func<T?, T?> decide, CancellationToken cancellationToken) where T : class =>
        GuardAsync(async () =>
        {
            var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(name);
            for (var attempt = 0; attempt < UpdateAttempts; attempt++)
            {
                T? current = null;
                var conditions = IfNew;
                try
                {
                    var stored = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
                    current = JsonSerializer.Deserialize(stored.Content.ToMemory().Span, typeInfo);
                    conditions = new BlobRequestConditions { IfMatch = stored.Details.ETag };
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                }
                if (decide(current) is not { } next)
                {
                    return null;
                }
                try
                {
                    var content = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(next, typeInfo));
                    await UploadAsync(blob.Name, content, new BlobUploadOptions { Conditions = conditions, HttpHeaders = Json }, cancellationToken)
                        .ConfigureAwait(false);
                    return next;
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
                {
                    // Another writer got in between (or removed the blob): decide again on what stands now.
                }
            }
            return null;
        });

    /// <summary>Uploads the blob; a container deleted while the app runs (an operator's clean-up, a fresh emulator) is
    /// created again. Not guarded: a store calls it within <see cref="GuardAsync{T}"/>.</summary>
    public async Task UploadAsync(string name, BinaryData content, BlobUploadOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(name);
            await blob.UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == "ContainerNotFound")
        {
            _created = null;
            var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(name);
            await blob.UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The container, created on first use; a failed attempt is forgotten so the next call tries again.</summary>
    public async Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken)
    {
        var created = _created ??= _container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        try
        {
            await created.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (created.IsFaulted)
        {
            _created = null;
            throw;
        }
        return _container;
    }

    /// <summary>Runs a storage operation, its failures turned into <see cref="StorageUnavailableException"/>.</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RequestFailedException || StorageUnavailableException.IsTransient(ex))
        {
            // Every storage failure is a 503 to the caller, never a 500: transient ones heal by retrying,
            // the others (a wrong key, a missing permission) need an operator, and say so in the log.
            throw new StorageUnavailableException($"Blob Storage failed: {FirstLine(ex.Message)}", ex);
        }
    }

    /// <summary>As <see cref="GuardAsync{T}"/>, for an operation that answers nothing.</summary>
    public static async Task GuardAsync(Func<Task<bool>> operation) => await GuardAsync<bool>(operation).ConfigureAwait(false);

    // The SDK's messages go on with the request's headers and the service's XML: one line is enough here.
    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
