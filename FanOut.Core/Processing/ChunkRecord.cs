namespace FanOut.Core.Processing;

/// <summary>One record of a chunk, as UTF-8 text: an inline string item's value, any other inline
/// item's JSON text, or (for blob sources) one line, NDJSON document or CSV data row, without its line end.
/// It lives on the stack and its bytes are lent for one <c>Add</c> call only (the buffer holds the next record
/// after): copy what a partial keeps, e.g. as a string.</summary>
/// <param name="text">The record's UTF-8 bytes.</param>
public readonly ref struct ChunkRecord(ReadOnlySpan<byte> text)
{
    /// <summary>The record's text, UTF-8 encoded.</summary>
    public ReadOnlySpan<byte> Text { get; } = text;
}
