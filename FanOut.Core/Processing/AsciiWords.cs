using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FanOut.Core.Processing;

/// <summary>The words of UTF-8 (or any) bytes, as <c>LC_ALL=C wc -w</c> has them: maximal runs of bytes other than
/// ASCII whitespace (space, \t, \n, \v, \f, \r). Each 32 bytes are classified at once (two 16-byte vector
/// compares into a 32-bit mask), and words are found between the mask's bit flips, so a word costs two bit scans,
/// not a call per byte or per word. Use with <c>foreach</c>.</summary>
internal ref struct AsciiWords
{
    private const int BlockSize = 32;

    private readonly ReadOnlySpan<byte> _text;
    private int _block = -BlockSize; // where the current block starts in the text
    private uint _whitespace;        // bit i: byte _block + i is whitespace (bytes past the text's end are)
    private uint _looking;           // the bits of the block still to look at: non-whitespace between words, whitespace inside one
    private int _start = -1;         // where the word being read starts; -1 between words
    private Padded _tail;

    public AsciiWords(ReadOnlySpan<byte> text) => _text = text;

    /// <summary>The current word.</summary>
    public ReadOnlySpan<byte> Current { get; private set; }

    public readonly AsciiWords GetEnumerator() => this;

    public bool MoveNext()
    {
        while (true)
        {
            if (_looking != 0)
            {
                var at = BitOperations.TrailingZeroCount(_looking);
                if (_start < 0)
                {
                    _start = _block + at;
                    _looking = _whitespace & (uint.MaxValue << at);
                    continue;
                }
                Current = _text[_start..(_block + at)];
                _start = -1;
                _looking = ~_whitespace & (uint.MaxValue << at);
                return true;
            }
            _block += BlockSize;
            if (_block >= _text.Length)
            {
                // Only a word that runs to the very end of a text of whole blocks is still open here.
                if (_start < 0 || _start >= _text.Length)
                {
                    return false;
                }
                Current = _text[_start..];
                _start = -1;
                return true;
            }
            if (_text.Length - _block >= BlockSize)
            {
                _whitespace = Whitespace(_text.Slice(_block, BlockSize));
            }
            else if (_text.Length >= BlockSize)
            {
                // The last, short block of a longer text: its last 32 bytes classified, shifted so that bit 0 is the
                // block's first byte, and the bits past the end set (whitespace), without copying.
                var overlap = BlockSize - (_text.Length - _block);
                _whitespace = (Whitespace(_text[^BlockSize..]) >> overlap) | (uint.MaxValue << (BlockSize - overlap));
            }
            else
            {
                // A text shorter than a block, followed by spaces.
                Span<byte> padded = _tail;
                padded.Fill((byte)' ');
                _text[_block..].CopyTo(padded);
                _whitespace = Whitespace(padded);
            }
            _looking = _start < 0 ? ~_whitespace : _whitespace;
        }
    }

    private static uint Whitespace(ReadOnlySpan<byte> block) =>
        Whitespace(Vector128.Create(block)) | (Whitespace(Vector128.Create(block[16..])) << 16);

    // Space, or \t..\r (9 to 13): one compare for the space, one unsigned range compare for the rest.
    private static uint Whitespace(Vector128<byte> bytes) =>
        (Vector128.Equals(bytes, Vector128.Create((byte)' '))
         | Vector128.LessThan(bytes - Vector128.Create((byte)'\t'), Vector128.Create((byte)5))).ExtractMostSignificantBits();

    [InlineArray(BlockSize)]
    private struct Padded
    {
        private byte _first;
    }
}
