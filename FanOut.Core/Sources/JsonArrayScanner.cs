using System.Buffers;

namespace FanOut.Core.Sources;

/// <summary>Plans record-exact chunks of a blob holding one JSON array (<c>format: "json"</c>) in one streaming pass: it
/// knows strings and their escapes (a <c>]</c> or <c>,</c> inside a string is text), counts the nesting of arrays and
/// objects, and notes the byte offset of every chunkSize-th element of the top-level array. A blob that is not one array
/// (anything but whitespace around it, an unterminated string or array, a trailing comma) is refused here, before any
/// chunk runs, with the byte where it went wrong. Each element's own JSON is checked by the chunk that reads it.</summary>
internal static class JsonArrayScanner
{
    private const int ReadSize = 1024 * 1024;

    /// <summary>The result of a scan.</summary>
    /// <param name="ChunkStarts">Byte offset of each chunk's first element, ascending.</param>
    /// <param name="Records">Elements in the array.</param>
    /// <param name="End">Byte offset of the array's closing bracket: where the last chunk ends.</param>
    public sealed record Plan(IReadOnlyList<long> ChunkStarts, long Records, long End);

    /// <summary>Scans the stream to its end; throws <see cref="InvalidDataException"/> when it is not one JSON array.</summary>
    public static async Task<Plan> ScanAsync(Stream stream, int recordsPerChunk, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recordsPerChunk, 1);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            var scan = new State(recordsPerChunk);
            long position = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, ReadSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                scan.Feed(buffer.AsSpan(0, read), position);
                position += read;
            }
            return scan.Finish(position);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private enum Place { Before, Opened, AfterComma, InElement, Closed }

    private sealed class State(int recordsPerChunk)
    {
        private readonly List<long> _starts = [];
        private Place _place = Place.Before;
        private long _records;
        private long _end = -1;
        private int _nest;           // arrays and objects open inside the current element
        private bool _inString;
        private bool _escaped;

        public void Feed(ReadOnlySpan<byte> bytes, long offset)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                var b = bytes[i];
                var at = offset + i;
                if (_inString)
                {
                    if (_escaped)
                    {
                        _escaped = false;
                    }
                    else if (b == (byte)'\\')
                    {
                        _escaped = true;
                    }
                    else if (b == (byte)'"')
                    {
                        _inString = false;
                    }
                    continue;
                }
                if (IsSpace(b) || (at < 3 && _place == Place.Before && IsBom(b, at)))
                {
                    continue;
                }
                switch (_place)
                {
                    case Place.Before:
                        _place = b == (byte)'[' ? Place.Opened : throw NotAnArray(at, "it does not start with '['");
                        break;
                    case Place.Opened when b == (byte)']':
                        (_place, _end) = (Place.Closed, at);
                        break;
                    case Place.Opened or Place.AfterComma:
                        if (b is (byte)']' or (byte)',')
                        {
                            throw NotAnArray(at, "an element is missing (a comma with nothing after it)");
                        }
                        if (_records++ % recordsPerChunk == 0)
                        {
                            _starts.Add(at);
                        }
                        _place = Place.InElement;
                        Element(b, at);
                        break;
                    case Place.InElement:
                        Element(b, at);
                        break;
                    case Place.Closed:
                        throw NotAnArray(at, "there is more after the array's closing ']'");
                }
            }
        }

        public Plan Finish(long length)
        {
            if (_place != Place.Closed)
            {
                throw NotAnArray(length, _place == Place.Before ? "it holds no JSON array" : _inString ? "a string is not terminated" : "the array is not closed");
            }
            return new Plan(_starts, _records, _end);
        }

        private void Element(byte b, long at)
        {
            switch (b)
            {
                case (byte)'"':
                    _inString = true;
                    break;
                case (byte)'[' or (byte)'{':
                    _nest++;
                    break;
                case (byte)']' when _nest == 0:
                    (_place, _end) = (Place.Closed, at);
                    break;
                case (byte)']' or (byte)'}':
                    _nest = _nest > 0 ? _nest - 1 : throw NotAnArray(at, "a '}' closes nothing");
                    break;
                case (byte)',' when _nest == 0:
                    _place = Place.AfterComma;
                    break;
            }
        }

        private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

        private static bool IsBom(byte b, long at) => (at, b) is (0, 0xEF) or (1, 0xBB) or (2, 0xBF);

        private static InvalidDataException NotAnArray(long at, string why) =>
            new($"The blob is not one JSON array: {why} (at byte {at}).");
    }
}
