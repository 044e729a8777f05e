using System.Buffers;

namespace FanOut.Core.Processing;

/// <summary>Collects a chunk's output records as newline-terminated lines, for one upload; bounded by the chunk.</summary>
internal sealed class BufferedRecordSink : IRecordSink
{
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);

    public long Records { get; private set; }

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public void Write(ReadOnlySpan<byte> record)
    {
        _buffer.Write(record);
        _buffer.Write("\n"u8);
        Records++;
    }
}
