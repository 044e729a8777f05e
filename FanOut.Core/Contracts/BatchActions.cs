namespace FanOut.Core.Contracts;

/// <summary>The values of the <c>action</c> field of POST /api/batch.</summary>
internal static class BatchActions
{
    /// <summary>External: plan a job's chunks and fan them out.</summary>
    public const string StartFanout = "start_fanout";

    /// <summary>Internal (and the seed's default when <c>action</c> is absent): process one chunk.</summary>
    public const string ProcessChunk = "process_chunk";

    /// <summary>External: finish a stored job, re-dispatching only the chunks with no committed result.</summary>
    public const string Resume = "resume";

    /// <summary>External: stop a job: no new chunk is sent, the chunks in flight finish, and it ends Cancelled.</summary>
    public const string Cancel = "cancel";

    /// <summary>External: change a job's concurrency level while it runs; every dispatcher of the job follows it within about a second.</summary>
    public const string Update = "update";

    /// <summary>Internal: run a stored job's pending chunks and fan their results in: the root of its dispatch tree.</summary>
    public const string Dispatch = "dispatch";

    /// <summary>Internal: a node of a run's dispatch tree, walking its pass over a range of the job's chunks.</summary>
    public const string DispatchNode = "dispatch_node";

    /// <summary>Internal: count the quote characters of one byte range of a CSV blob (the first pass of a
    /// CSV job cut by bytes, which tells every chunk whether it starts inside a quoted field).</summary>
    public const string CountQuotes = "count_quotes";

    /// <summary>Internal: send a job's completion notice, in an invocation of its own.</summary>
    public const string Notify = "notify";

    /// <summary>Every action the endpoint accepts, in the order error messages list them.</summary>
    public static IReadOnlyList<string> All { get; } = [StartFanout, Resume, Cancel, Update, ProcessChunk, Dispatch, DispatchNode, CountQuotes, Notify];
}
