using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace FanOut.Core.Configuration;

/// <summary>Completion notices (<c>FanOut__Notify__*</c>): where a job's final status may be POSTed, and the key that signs it.</summary>
internal sealed class NotifyOptions
{
    /// <summary>The HMAC-SHA256 key that signs each notice (at least 32 characters); without it, start_fanout refuses <c>notify</c>.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The only places a notice may go to, comma-separated, any case: <c>host</c> allows that host on its scheme's
    /// default port only (443 for https, 80 for http); <c>host:port</c> that host on that port (<c>[::1]:8080</c> for an IPv6
    /// address). Without any, <c>notify</c> is refused.</summary>
    public string? AllowedHosts { get; set; }

    /// <summary>The wait before a notice's first retry, doubled before each next one (500 ms: retries 0.5, 1, 2 and 4 s apart).</summary>
    [Range(0, 10_000)]
    public int RetryDelayMilliseconds { get; set; } = 500;

    /// <summary>True when <paramref name="url"/>'s host and port are on <see cref="AllowedHosts"/>.</summary>
    internal bool Allows(Uri url) =>
        (AllowedHosts ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(entry => Matches(entry, url));

    // "host", "host:port", "[v6]" or "[v6]:port" (a bare IPv6 address, with its colons, has no port).
    private static bool Matches(string entry, Uri url)
    {
        string host;
        string? port = null;
        if (entry.StartsWith('[') && entry.IndexOf(']') is var close and > 0)
        {
            (host, port) = (entry[1..close], entry.Length > close + 1 && entry[close + 1] == ':' ? entry[(close + 2)..] : null);
        }
        else if (entry.IndexOf(':') is var colon and > 0 && colon == entry.LastIndexOf(':'))
        {
            (host, port) = (entry[..colon], entry[(colon + 1)..]);
        }
        else
        {
            host = entry;
        }
        var sameHost = string.Equals(host, url.IdnHost.Trim('[', ']'), StringComparison.OrdinalIgnoreCase);
        return port is null
            ? sameHost && url.IsDefaultPort
            : sameHost && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number == url.Port;
    }
}
