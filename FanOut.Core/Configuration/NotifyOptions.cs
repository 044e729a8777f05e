namespace FanOut.Core.Configuration;

/// <summary>Completion notices (<c>FanOut__Notify__*</c>): where a job's final status may be POSTed, and the key that signs it.</summary>
public sealed class NotifyOptions
{
    /// <summary>The HMAC-SHA256 key that signs each notice (at least 32 characters); without it, start_fanout refuses <c>notify</c>.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The only hosts a notice may go to, comma-separated (exact host names, any case); without any, <c>notify</c> is refused.</summary>
    public string? AllowedHosts { get; set; }

    /// <summary>True when <paramref name="host"/> is on <see cref="AllowedHosts"/>.</summary>
    internal bool Allows(string host) =>
        (AllowedHosts ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Contains(host, StringComparer.OrdinalIgnoreCase);
}
