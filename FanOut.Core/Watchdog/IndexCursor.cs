namespace FanOut.Core.Watchdog;

/// <summary>Where the next watchdog pass goes on reading the index of jobs: each pass reads a bounded stretch of it, and
/// the next one the stretch after it, back to the newest at the end; so a pass costs the same however many jobs the
/// index holds, and every job is looked at within a few passes. Kept in memory: an instance that starts reads from the
/// newest.</summary>
internal sealed class IndexCursor
{
    private string? _next;

    /// <summary>The continuation token to read from; null: from the newest entry.</summary>
    public string? Next
    {
        get => Volatile.Read(ref _next);
        set => Volatile.Write(ref _next, value);
    }
}
