using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace FanOut.Core.Sources;

/// <summary>A blob read from a position as few streamed GETs: the first asks for the whole range the reader means
/// to read (plus a little, for the record that runs past its end), and the body is read straight off the
/// connection; only a reader that goes on past that asks for more, a segment at a time. The SDK's buffered
/// stream (<c>OpenRead</c>) instead asks for one buffer per GET and copies it, which in Azurite costs four times
/// the CPU for the same bytes and in Azure one billed read per megabyte (docs/BENCHMARKS.md, issue 16). Each GET
/// carries the same conditions (If-Match the planned version), and its body is the SDK's retriable stream, which
/// resumes where it was cut.</summary>
internal sealed class BlobRangeStream : Stream
{
    private readonly BlobClient _blob;
    private readonly BlobRequestConditions? _conditions;
    private readonly int _segment;
    private Stream? _body;
    private long _position;
    private long? _length;

    private BlobRangeStream(BlobClient blob, long position, BlobRequestConditions? conditions, int segment)
    {
        _blob = blob;
        _position = position;
        _conditions = conditions;
        _segment = segment;
    }

    /// <summary>Opens <paramref name="blob"/> at <paramref name="position"/>: its first GET asks for
    /// <paramref name="first"/> bytes (null: to the blob's end), each later one for <paramref name="segment"/>.</summary>
    public static async Task<BlobRangeStream> OpenAsync(BlobClient blob, long position, long? first, int segment,
        BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        var stream = new BlobRangeStream(blob, position, conditions, segment);
        await stream.NextAsync(first, cancellationToken).ConfigureAwait(false);
        return stream;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            if (_body is null)
            {
                if (_position >= _length)
                {
                    return 0;
                }
                await NextAsync(_segment, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var read = await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                _position += read;
                return read;
            }
            await _body.DisposeAsync().ConfigureAwait(false);
            _body = null;
        }
        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_body is not null)
        {
            await _body.DisposeAsync().ConfigureAwait(false);
            _body = null;
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body?.Dispose();
            _body = null;
        }
        base.Dispose(disposing);
    }

    // The next GET, from the position on. A position at or past the blob's end is answered 416: the blob ends there.
    private async Task NextAsync(long? length, CancellationToken cancellationToken)
    {
        try
        {
            var download = await _blob.DownloadStreamingAsync(new BlobDownloadOptions
            {
                Range = new HttpRange(_position, length),
                Conditions = _conditions,
            }, cancellationToken).ConfigureAwait(false);
            _body = download.Value.Content;
            // A GET that brings nothing ends the blob, whatever length it names: reading never asks for the same bytes twice.
            _length = download.Value.Details.ContentLength == 0
                ? _position
                : TotalLength(download.Value.Details.ContentRange) ?? _position + download.Value.Details.ContentLength;
        }
        catch (RequestFailedException ex) when (ex.Status == 416)
        {
            _length = _position;
        }
    }

    // "bytes 0-1023/4096": the blob's length, after the slash.
    private static long? TotalLength(string? contentRange) =>
        contentRange?.LastIndexOf('/') is { } slash and >= 0
        && long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total)
            ? total
            : null;
}
