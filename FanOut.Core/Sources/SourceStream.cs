namespace FanOut.Core.Sources;

/// <summary>A source blob's stream whose read failures are storage failures, as those of opening it are: the SDK
/// fetches the blob a buffer at a time as it is read, so a reset connection, a network timeout or a 5xx can come
/// from any read, mid-chunk, and must be answered 503 with Retry-After like any other storage failure.</summary>
internal sealed class SourceStream(Stream inner, CancellationToken cancellationToken) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken readCancellation = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, readCancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (SourceBlobs.IsStorageFailure(ex, readCancellation.IsCancellationRequested ? readCancellation : cancellationToken))
        {
            throw SourceBlobs.Unavailable(ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken readCancellation) =>
        ReadAsync(buffer.AsMemory(offset, count), readCancellation).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
