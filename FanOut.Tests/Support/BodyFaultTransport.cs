using Azure.Core;
using Azure.Core.Pipeline;

namespace FanOut.Tests.Support;

/// <summary>What <see cref="BodyFaultTransport"/> does to a blob's body.</summary>
public enum BodyFault
{
    None,
    /// <summary>The connection is reset after the first bytes of the body.</summary>
    Cut,
    /// <summary>After the first bytes, the body stops coming: the SDK's network timeout ends the read.</summary>
    Stall,
}

/// <summary>The storage client's transport with faults in the bodies of blob downloads whose path holds
/// <paramref name="pathPart"/> (e.g. an input container), set on the SDK's own client options
/// (<c>BlobClientOptions.Transport</c>), so every policy of the SDK (retries, network timeout) runs above it.</summary>
internal sealed class BodyFaultTransport(string pathPart) : HttpPipelineTransport
{
    private const int BytesBeforeFault = 1024;
    private readonly HttpClientTransport _inner = new();
    private int _faulted;

    /// <summary>The fault given to each download from now on.</summary>
    public BodyFault Fault { get; set; }

    /// <summary>Bodies that met a fault so far.</summary>
    public int Faulted => Volatile.Read(ref _faulted);

    public override Request CreateRequest() => _inner.CreateRequest();

    public override void Process(HttpMessage message)
    {
        _inner.Process(message);
        Break(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message)
    {
        await _inner.ProcessAsync(message);
        Break(message);
    }

    private void Break(HttpMessage message)
    {
        if (Fault is not BodyFault.None and var fault && message.Request.Method == RequestMethod.Get
            && message.Request.Uri.Path.Contains(pathPart, StringComparison.Ordinal) && message.Response.ContentStream is { } body)
        {
            Interlocked.Increment(ref _faulted);
            message.Response.ContentStream = new FaultyBody(body, fault);
        }
    }

    private sealed class FaultyBody(Stream inner, BodyFault fault) : Stream
    {
        private int _left = BytesBeforeFault;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left == 0)
            {
                if (fault == BodyFault.Cut)
                {
                    throw new IOException("Unable to read data from the transport connection: Connection reset by peer (injected).");
                }
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            var read = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, _left)], cancellationToken);
            _left -= read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
