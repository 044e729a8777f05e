namespace FanOut.Core.Processing;

/// <summary>One record of a chunk, as UTF-8 text: an inline string item's value, any other inline
/// item's JSON text, or (for blob sources) one line or row.</summary>
public readonly ref struct ChunkRecord(ReadOnlySpan<byte> text)
{
    /// <summary>The record's text, UTF-8 encoded.</summary>
    public ReadOnlySpan<byte> Text { get; } = text;
}
