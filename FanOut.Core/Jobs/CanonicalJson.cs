using System.Buffers;
using System.Text.Json;
using FanOut.Core.Requests;

namespace FanOut.Core.Jobs;

/// <summary>Writes a JSON value in one spelling per meaning, for a job's fingerprint: no whitespace; strings as the
/// writer escapes their text (so <c>"\u0041"</c> is <c>"A"</c>); numbers by exact decimal value
/// (<see cref="CanonicalNumber"/>); an object's members ordered by name (the UTF-8 bytes of its text, ordinal), and
/// members of one name (JSON allows them; a request's own fields refuse them) kept in the order they were sent, so that
/// such an object is the same only as one with the same members in the same order. Arrays keep their order.</summary>
/// <remarks>Read from the value's text, never parsed into a document: a value already spelled so (the common item) is
/// written as it is after one pass over its bytes; any other is read token by token, an object's members noted (name
/// and where its value lies), ordered, then written. One instance per fingerprint: it keeps the names of the objects
/// being written and a scratch buffer as large as the largest number or escaped string it was given.</remarks>
internal sealed class CanonicalJson
{
    private static readonly SearchValues<byte> NotAsWritten = SearchValues.Create(" \t\r\n\\&'+<>`"u8);
    private static readonly JsonReaderOptions Reading = new() { MaxDepth = BodyScan.MaxDepth };
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly Comparison<Member> _byName;
    private byte[] _names = new byte[1024];
    private int _namesLength;
    private Member[] _members = new Member[64];
    private int _membersLength;

    public CanonicalJson() => _byName = CompareNames;

    /// <summary>Writes <paramref name="json"/>, the text of one JSON value (checked by the body's scan), in its
    /// canonical spelling.</summary>
    public void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> json)
    {
        if (IsCanonical(json))
        {
            writer.WriteRawValue(json, skipInputValidation: true);
            return;
        }
        var reader = new Utf8JsonReader(json, Reading);
        reader.Read();
        WriteCurrent(writer, ref reader, json);
    }

    // Whether json is spelled as Write would spell it: nothing to unescape or escape, no whitespace, numbers canonical,
    // each object's names in order. With no escape, every '"' opens or closes a string.
    private static bool IsCanonical(ReadOnlySpan<byte> json)
    {
        if (json.IndexOfAny(NotAsWritten) >= 0 || json.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
        {
            return false;
        }
        Span<(int Start, int Length)> lastName = stackalloc (int, int)[BodyScan.MaxDepth + 1];
        var depth = 0;
        for (var at = 0; at < json.Length;)
        {
            switch (json[at])
            {
                case (byte)'"':
                    var end = at + 1 + json[(at + 1)..].IndexOf((byte)'"');
                    if (end + 1 < json.Length && json[end + 1] == (byte)':')
                    {
                        var name = json[(at + 1)..end];
                        var (start, named) = lastName[depth];
                        if (named >= 0 && json.Slice(start, named).SequenceCompareTo(name) > 0)
                        {
                            return false;
                        }
                        lastName[depth] = (at + 1, name.Length);
                    }
                    at = end + 1;
                    break;
                case (byte)'{':
                    lastName[++depth] = (0, -1);
                    at++;
                    break;
                case (byte)'[':
                    depth++;
                    at++;
                    break;
                case (byte)'}' or (byte)']':
                    depth--;
                    at++;
                    break;
                case (byte)'-' or (>= (byte)'0' and <= (byte)'9'):
                    // By hand, not by IndexOfAny: numbers here are a few digits each, and a call per number costs more.
                    var negative = json[at] == (byte)'-';
                    var first = negative ? at + 1 : at;
                    for (at = first; at < json.Length && json[at] - (uint)'0' <= 9; at++)
                    {
                    }
                    if ((at < json.Length && json[at] is (byte)'.' or (byte)'e' or (byte)'E')
                        || at - first > CanonicalNumber.MaxPlainDigits || (negative && at - first == 1 && json[first] == (byte)'0'))
                    {
                        return false;   // a fraction, an exponent, a long integer or -0: see CanonicalNumber.IsCanonical
                    }
                    break;
                default:
                    at++;   // ',', ':' and the letters of true, false and null
                    break;
            }
        }
        return true;
    }

    // Writes the value whose first token the reader is on, and leaves the reader on its last token.
    private void WriteCurrent(Utf8JsonWriter writer, ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                WriteObject(writer, ref reader, json);
                break;
            case JsonTokenType.StartArray:
                writer.WriteStartArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    WriteCurrent(writer, ref reader, json);
                }
                writer.WriteEndArray();
                break;
            case JsonTokenType.String when reader.ValueIsEscaped:
                _scratch.ResetWrittenCount();
                var unescaped = _scratch.GetSpan(reader.ValueSpan.Length);
                writer.WriteStringValue(unescaped[..reader.CopyString(unescaped)]);
                break;
            case JsonTokenType.String:
                writer.WriteStringValue(reader.ValueSpan);
                break;
            case JsonTokenType.Number when CanonicalNumber.IsCanonical(reader.ValueSpan):
                writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                break;
            case JsonTokenType.Number:
                _scratch.ResetWrittenCount();
                CanonicalNumber.Write(reader.ValueSpan, _scratch);
                writer.WriteRawValue(_scratch.WrittenSpan, skipInputValidation: true);
                break;
            case JsonTokenType.True or JsonTokenType.False:
                writer.WriteBooleanValue(reader.TokenType == JsonTokenType.True);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    // Notes each member's name (unescaped) and where its value lies, passing over the value; orders them; writes each
    // name and value. The names and members of the objects being written are kept as stacks: an object's are dropped
    // once it is written. A value inside an object is read twice (passed over, then written), once per object around it.
    private void WriteObject(Utf8JsonWriter writer, ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        var (firstMember, firstName) = (_membersLength, _namesLength);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = _namesLength;
            var name = Room(ref _names, _namesLength, reader.ValueSpan.Length);
            _namesLength += reader.ValueIsEscaped ? reader.CopyString(name) : Copy(reader.ValueSpan, name);
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            reader.Skip();
            Room(ref _members, _membersLength, 1)[0] = new Member(nameStart, _namesLength - nameStart, valueStart, (int)reader.BytesConsumed, _membersLength);
            _membersLength++;
        }
        // On the object's end. Members of one name are ordered by where they were sent (Sort alone is not stable).
        var members = _members.AsSpan(firstMember, _membersLength - firstMember);
        members.Sort(_byName);
        var names = _names;   // as it is now: the members' values may grow the stacks (into new arrays) as they are written
        writer.WriteStartObject();
        foreach (var member in members)
        {
            writer.WritePropertyName(names.AsSpan(member.NameStart, member.NameLength));
            Write(writer, json[member.ValueStart..member.ValueEnd]);
        }
        writer.WriteEndObject();
        (_membersLength, _namesLength) = (firstMember, firstName);
    }

    private int CompareNames(Member a, Member b)
    {
        var byName = _names.AsSpan(a.NameStart, a.NameLength).SequenceCompareTo(_names.AsSpan(b.NameStart, b.NameLength));
        return byName != 0 ? byName : a.Order.CompareTo(b.Order);
    }

    private static int Copy(ReadOnlySpan<byte> from, Span<byte> to)
    {
        from.CopyTo(to);
        return from.Length;
    }

    // The free part of a stack, at least `needed` long: the stack grows (into a new array, by doubling) when it must.
    private static Span<T> Room<T>(ref T[] stack, int used, int needed)
    {
        if (stack.Length - used < needed)
        {
            Array.Resize(ref stack, Math.Max(stack.Length * 2, used + needed));
        }
        return stack.AsSpan(used);
    }

    // A member of an object being written: its name in the names' stack, its value's text in the object's, and where it
    // was sent among the object's members.
    private readonly record struct Member(int NameStart, int NameLength, int ValueStart, int ValueEnd, int Order);
}
