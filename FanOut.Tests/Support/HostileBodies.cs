using System.Text;

namespace FanOut.Tests.Support;

/// <summary>Request bodies built to cost the server as much as possible per byte, from issue 13: written
/// straight into bytes (no string of tens of megabytes in between).</summary>
internal static class HostileBodies
{
    /// <summary><c>{"action":"start_fanout","items":[1],"f0":1,"f1":1,…}</c>: <paramref name="count"/> unknown fields.</summary>
    public static byte[] UnknownFields(int count) =>
        Build("""{"action":"start_fanout","items":[1]""", count, (w, i) => w.Append(",\"f").Append(i).Append("\":1"), "}");

    /// <summary><c>{"action":"start_fanout","items":[1],"x":1,"x":1,…}</c>: one name <paramref name="count"/> times.</summary>
    public static byte[] DuplicateKeys(int count) =>
        Build("""{"action":"start_fanout","items":[1]""", count, (w, _) => w.Append(",\"x\":1"), "}");

    /// <summary><c>{"action":"start_fanout","items":[1,1,…]}</c>: <paramref name="count"/> tiny items.</summary>
    public static byte[] TinyItems(int count) =>
        Build("""{"action":"start_fanout","items":[1""", count - 1, (w, _) => w.Append(",1"), "]}");

    /// <summary>Inline items that are arrays of 16 small numbers (42 bytes each); <paramref name="dryRun"/> asks only for the plan.</summary>
    public static byte[] NestedArrays(int count, bool dryRun) =>
        Build($$"""{"action":"start_fanout","dryRun":{{(dryRun ? "true" : "false")}},"items":[""", count,
            (w, i) => w.Append(i == 0 ? "" : ",").Append("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]"), "]}");

    /// <summary>An item nested <paramref name="depth"/> arrays deep.</summary>
    public static byte[] DeeplyNested(int depth) =>
        Encoding.UTF8.GetBytes("""{"action":"start_fanout","items":[""" + new string('[', depth) + new string(']', depth) + "]}");

    /// <summary>A start_fanout whose <paramref name="field"/> (a known one, or a name of its own) is a string of <paramref name="length"/> bytes.</summary>
    public static byte[] HugeString(string field, int length) =>
        Encoding.UTF8.GetBytes($$"""{"action":"start_fanout","items":[1],"{{field}}":"{{new string('a', length)}}"}""");

    /// <summary>A start_fanout with an unknown field whose name is <paramref name="length"/> bytes long.</summary>
    public static byte[] HugeName(int length) =>
        Encoding.UTF8.GetBytes($$"""{"action":"start_fanout","items":[1],"{{new string('a', length)}}":1}""");

    /// <summary>A JSON text as UTF-8.</summary>
    public static byte[] Text(string json) => Encoding.UTF8.GetBytes(json);

    private static byte[] Build(string head, int count, Action<StringBuilder, int> element, string tail)
    {
        using var stream = new MemoryStream();
        var part = new StringBuilder(head);
        for (var i = 0; i < count; i++)
        {
            element(part, i);
            if (part.Length > 1 << 20)
            {
                Flush(stream, part);
            }
        }
        part.Append(tail);
        Flush(stream, part);
        return stream.ToArray();
    }

    private static void Flush(MemoryStream stream, StringBuilder part)
    {
        var bytes = Encoding.UTF8.GetBytes(part.ToString());
        stream.Write(bytes);
        part.Clear();
    }
}
