using System.Text;

namespace FanOut.Core.Requests;

/// <summary>Where a <see cref="BodyScan"/> stands in a body, by nesting level: the current field name of each
/// open object (as a range of the body's bytes) and the current index of each open array; turned into a field's
/// name for an error (<c>items[3]</c>, <c>source.blob</c>) only when one is reported.</summary>
internal sealed class BodyPath(ReadOnlyMemory<byte> body)
{
    private readonly bool[] _isArray = new bool[BodyScan.MaxDepth + 1];
    private readonly int[] _index = new int[BodyScan.MaxDepth + 1];
    private readonly (int Start, int Length)[] _name = new (int, int)[BodyScan.MaxDepth + 1];
    private bool _inItems;

    /// <summary>True inside the top-level <c>items</c> array.</summary>
    public bool IsItems => _inItems && _isArray[1];

    /// <summary>A container opens at <paramref name="level"/>.</summary>
    public void Open(int level, bool isArray) => (_isArray[level], _index[level], _name[level]) = (isArray, -1, default);

    /// <summary>The object at <paramref name="level"/> goes on to a field named by the body's bytes [start, start + length).</summary>
    public void Name(int level, int start, int length, bool isItems)
    {
        _name[level] = (start, length);
        if (level == 0)
        {
            _inItems = isItems;
        }
    }

    /// <summary>A value starts in the container at <paramref name="level"/>: an array goes on to its next index.</summary>
    public void Next(int level) => _index[level]++;

    /// <summary>The field's name of the current element of the container at <paramref name="level"/>, e.g.
    /// <c>items[3].name</c>. Names are given as they were sent, escapes and all.</summary>
    public string Describe(int level)
    {
        var text = new StringBuilder();
        for (var k = 0; k <= level && text.Length < ProblemText.MaxNameBytes; k++)
        {
            if (_isArray[k])
            {
                text.Append('[').Append(_index[k]).Append(']');
            }
            else
            {
                var (start, length) = _name[k];
                var name = body.Span.Slice(start, Math.Min(length, ProblemText.MaxNameBytes));
                text.Append(k == 0 ? "" : ".").Append(Encoding.UTF8.GetString(name));
            }
        }
        return text.ToString();
    }
}
