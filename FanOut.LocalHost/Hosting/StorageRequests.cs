using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace FanOut.LocalHost.Hosting;

/// <summary>Storage operations counted on the wire, from Azurite's access log (one line per request it answered):
/// the figure a storage bill counts. Kinds: <c>list</c> (any <c>comp=list</c>), <c>read</c> (GET, HEAD),
/// <c>upload</c> (Put Blob and Put Block List), <c>append</c> (Append Block), <c>lease</c>, <c>delete</c>, <c>other</c>.</summary>
public sealed partial class StorageRequests
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Requests of one kind so far.</summary>
    public long this[string kind] => _counts.GetValueOrDefault(kind);

    /// <summary>Every request so far.</summary>
    public long Total => _counts.Values.Sum();

    /// <summary>The counts so far, by kind.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts, StringComparer.Ordinal);

    /// <summary>Counts one access-log line (others are ignored): <c>127.0.0.1 - - [date] "PUT /account/… HTTP/1.1" 201 -</c>.</summary>
    public void Count(string line)
    {
        var match = AccessLine().Match(line);
        if (match.Success)
        {
            _counts.AddOrUpdate(KindOf(match.Groups[1].Value, match.Groups[2].Value), 1, (_, n) => n + 1);
        }
    }

    private static string KindOf(string method, string target)
    {
        var query = target.Contains('?', StringComparison.Ordinal) ? target[target.IndexOf('?', StringComparison.Ordinal)..] : "";
        bool Has(string comp) => query.Contains($"comp={comp}", StringComparison.Ordinal);
        return method switch
        {
            _ when Has("list") => "list",
            "GET" or "HEAD" => "read",
            "DELETE" => "delete",
            "PUT" when Has("lease") => "lease",
            "PUT" when Has("appendblock") => "append",
            "PUT" when query.Length == 0 || Has("blocklist") || Has("block") => "upload",
            _ => "other",
        };
    }

    [GeneratedRegex("^\\S+ - - \\[[^\\]]*\\] \"([A-Z]+) (\\S+) HTTP/[0-9.]+\" \\d{3} ")]
    private static partial Regex AccessLine();
}
