namespace FanOut.Core.Sources;

/// <summary>How records end in a byte stream: fed every byte once, in order, a framing says where the next
/// record-ending newline is. Stateful: CSV must know whether it stands inside a quoted field.</summary>
internal abstract class RecordFraming
{
    /// <summary>Index of the next record-ending '\n' in <paramref name="bytes"/>, or -1 when there is none
    /// in them (all of them were consumed).</summary>
    public abstract int NextBoundary(ReadOnlySpan<byte> bytes);

    /// <summary>One record per line.</summary>
    public static RecordFraming Lines() => new LineFraming();

    /// <summary>RFC 4180 CSV: a newline inside a quoted field does not end the record.</summary>
    /// <param name="inQuotesAtStart">Whether the range's first byte lies inside a quoted field (the parity of
    /// the quotes before it).</param>
    /// <param name="firstByteIsBeforeStart">True when the first byte fed is the one just before the range
    /// (as <see cref="LineRecords.OpenAt"/> opens it), so its own quote, if any, precedes the known state.</param>
    public static RecordFraming Csv(bool inQuotesAtStart, bool firstByteIsBeforeStart) =>
        new CsvFraming(inQuotesAtStart, firstByteIsBeforeStart);

    private sealed class LineFraming : RecordFraming
    {
        public override int NextBoundary(ReadOnlySpan<byte> bytes) => bytes.IndexOf((byte)'\n');
    }

    private sealed class CsvFraming(bool inQuotesAtStart, bool firstByteIsBeforeStart) : RecordFraming
    {
        private bool _inQuotes = inQuotesAtStart;
        private bool _first = firstByteIsBeforeStart;

        public override int NextBoundary(ReadOnlySpan<byte> bytes)
        {
            if (_first && bytes.Length > 0)
            {
                // The state is known after this byte; before it, a quote here had the other parity.
                _inQuotes ^= bytes[0] == (byte)'"';
                _first = false;
            }
            var offset = 0;
            while (true)
            {
                var at = bytes[offset..].IndexOfAny((byte)'"', (byte)'\n');
                if (at < 0)
                {
                    return -1;
                }
                offset += at;
                if (bytes[offset] == (byte)'"')
                {
                    _inQuotes = !_inQuotes;
                }
                else if (!_inQuotes)
                {
                    return offset;
                }
                offset++;
            }
        }
    }
}
