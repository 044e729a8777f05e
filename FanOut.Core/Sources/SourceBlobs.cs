using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Requests;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Sources;

/// <summary>The one way into a job's input data: blobs of the configured input containers only, by names
/// that cannot leave their container, read at the version the job was planned on.</summary>
internal sealed partial class SourceBlobs(BlobServiceClient service, IOptions<FanOutOptions> options)
{
    private readonly IReadOnlySet<string> _allowed = options.Value.Storage.AllowedInputContainers();

    /// <summary>Checks a reference: an allowed container, a plain blob name, a known format.</summary>
    public void Validate(SourceReference source, FieldErrors errors)
    {
        if (source.Container is not { } container || !_allowed.Contains(container))
        {
            errors.Add("source.container", _allowed.Count == 0
                ? "No input containers are configured (FanOut__Storage__InputContainers), so no blob can be a source."
                : $"Not an allowed input container. Allowed: {string.Join(", ", _allowed.Order(StringComparer.Ordinal))}.");
        }
        if ((source.Blob is null) == (source.Prefix is null))
        {
            errors.Add("source.blob", "Give either blob (one blob) or prefix (every blob whose name starts with it).");
        }
        else if (source.Blob is { } blob && !IsPlainName(blob, allowTrailingSlash: false))
        {
            errors.Add("source.blob", "Must be a blob name within the container: 1 to 1024 characters, no '..' or '.' segments, no leading or double '/', no '\\' or control characters.");
        }
        else if (source.Prefix is { } prefix && !IsPlainName(prefix, allowTrailingSlash: true))
        {
            errors.Add("source.prefix", "Must be a name prefix within the container: 1 to 1024 characters, no '..' or '.' segments, no leading or double '/', no '\\' or control characters.");
        }
        if (source.Format is { } format && !SourceFormats.Given.Contains(format))
        {
            errors.Add("source.format", SourceFormats.Expected);
        }
        if (source.ETag is not null || source.Start != 0 || source.End != 0 || source.InQuotes is not null)
        {
            errors.Add("source", "eTag, start, end and inQuotes are set by the app in its chunk messages, not by a request.");
        }
    }

    /// <summary>Checks the reference of a chunk message: one blob of an allowed container and a byte range
    /// (the version and range fields, which only the app sets, are allowed here).</summary>
    public void ValidateChunkReference(SourceReference source, FieldErrors errors)
    {
        Validate(source with { ETag = null, Start = 0, End = 0, InQuotes = null }, errors);
        if (source.Prefix is not null)
        {
            errors.Add("source.prefix", "A chunk reads one blob: give blob, not prefix.");
        }
        if (source.Start < 0 || source.End < source.Start)
        {
            errors.Add("source", "start and end must make a byte range: 0 <= start <= end.");
        }
    }

    /// <summary>The source's blobs at their current versions, in name order: the one blob (none when it does
    /// not exist), or every blob under the prefix.</summary>
    public Task<List<PlannedBlob>> PinAsync(SourceReference source, CancellationToken cancellationToken) =>
        GuardAsync<List<PlannedBlob>>(async () =>
        {
            var blobs = new List<PlannedBlob>();
            if (source.Blob is not null)
            {
                if (await GetPropertiesAsync(source, cancellationToken).ConfigureAwait(false) is { } properties)
                {
                    blobs.Add(new PlannedBlob(source.Blob, properties.ETag.ToString(), properties.ContentLength));
                }
                return blobs;
            }
            var container = Container(source);
            try
            {
                await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, source.Prefix, cancellationToken).ConfigureAwait(false))
                {
                    blobs.Add(new PlannedBlob(item.Name, item.Properties.ETag!.Value.ToString(), item.Properties.ContentLength ?? 0));
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // no such container: no blobs
            }
            return [.. blobs.OrderBy(b => b.Name, StringComparer.Ordinal)];
        }, cancellationToken);

    /// <summary>The blob's current version and length, or null when it does not exist.</summary>
    public Task<BlobProperties?> GetPropertiesAsync(SourceReference source, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            try
            {
                return (BlobProperties?)(await Client(source).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
        }, cancellationToken);

    /// <summary>Opens the blob at <paramref name="position"/>, If-Match its planned version, as one streamed GET
    /// (<see cref="BlobRangeStream"/>): memory stays bounded by the reader's buffer, not by the blob. With
    /// <paramref name="until"/> (where the reader expects to stop, give or take a record) that GET asks for the range
    /// and a tail of up to 64 KiB past it, for the record that runs over its end; a longer one is read on in segments
    /// of up to 1 MiB. A read that fails in storage throws <see cref="StorageUnavailableException"/>, as opening does;
    /// a version gone or replaced throws <see cref="RequestFailedException"/> (404, 412).</summary>
    public async Task<Stream> OpenReadAsync(SourceReference source, long position, CancellationToken cancellationToken, long? until = null)
    {
        long? first = until is { } end ? Math.Max(0, end - position) : null;
        var segment = first is { } range ? (int)Math.Clamp(range, MinSegment, MaxSegment) : MaxSegment;
        var conditions = source.ETag is { } etag ? new BlobRequestConditions { IfMatch = new ETag(etag) } : null;
        var stream = await GuardAsync(
            () => BlobRangeStream.OpenAsync(Client(source), position, first + Math.Min(segment, MaxTail), segment, conditions, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return new SourceStream(stream, cancellationToken);
    }

    private const int MinSegment = 4 * 1024;
    private const int MaxSegment = 1024 * 1024;
    private const int MaxTail = 64 * 1024;

    // A blob of an allowed container, checked again on every read so that no caller can reach another
    // container by mistake.
    private BlobClient Client(SourceReference source) =>
        Container(source with { Prefix = null }).GetBlobClient(source.Blob);

    private BlobContainerClient Container(SourceReference source)
    {
        var errors = new FieldErrors();
        Validate(source with { ETag = null, Start = 0, End = 0, InQuotes = null }, errors);
        return errors.IsEmpty
            ? service.GetBlobContainerClient(source.Container)
            : throw new InvalidOperationException("Refused source reference: " + errors.Summary());
    }

    private static async Task<T> GuardAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>True when reading a source failed in storage, to be answered 503: every answer of the service but
    /// 404 and 412 (the planned version gone or replaced, which the caller reports as such), the service
    /// unreachable, and the SDK's own network timeout (a cancellation its caller did not ask for).</summary>
    public static bool IsStorageFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException { Status: 404 or 412 } => false,
        RequestFailedException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        AggregateException retries => retries.InnerExceptions.All(e => IsStorageFailure(e, cancellationToken)),
        _ => StorageUnavailableException.IsTransient(exception),
    };

    /// <summary>The storage failure <paramref name="exception"/> as the 503 it is answered with.</summary>
    public static StorageUnavailableException Unavailable(Exception exception) =>
        new($"Blob Storage failed reading the source: {exception.Message.Split('\n', 2)[0].Trim()}", exception);

    private static bool IsPlainName(string name, bool allowTrailingSlash)
    {
        var segments = (allowTrailingSlash && name.EndsWith('/') ? name[..^1] : name).Split('/');
        return PlainBlobName().IsMatch(name) && segments.All(part => part is not ("" or "." or ".."));
    }

    [GeneratedRegex(@"^[^\\\x00-\x1f\x7f]{1,1024}\z")]
    private static partial Regex PlainBlobName();
}
