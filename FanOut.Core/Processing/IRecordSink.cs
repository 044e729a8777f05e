namespace FanOut.Core.Processing;

/// <summary>Where a processor emits output records; each becomes one line of the chunk's output part
/// (<c>output/part-{chunk:D6}.{OutputFormat}</c>). A chunk's records stay in memory until the chunk commits.</summary>
public interface IRecordSink
{
    /// <summary>Emits one record (UTF-8, without a newline). The bytes are copied before it returns, so the
    /// caller may reuse its buffer.</summary>
    /// <param name="record">The record's UTF-8 bytes; it must not contain a newline.</param>
    void Write(ReadOnlySpan<byte> record);
}

/// <summary>Sinks for processors that emit nothing, and for chunks whose output has nowhere to go.</summary>
internal static class RecordSink
{
    /// <summary>Drops every record.</summary>
    public static IRecordSink Discard { get; } = new DiscardSink();

    private sealed class DiscardSink : IRecordSink
    {
        public void Write(ReadOnlySpan<byte> record)
        {
        }
    }
}
