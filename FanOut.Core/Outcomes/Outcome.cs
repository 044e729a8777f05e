using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Contracts;

namespace FanOut.Core.Outcomes;

/// <summary>How a request ended, in the application's terms. Only the HTTP edge
/// (Http/Replies) turns it into a status, headers and a body.</summary>
internal abstract record Outcome
{
    /// <summary>Turned down; nothing was changed.</summary>
    public static implicit operator Outcome(Refusal refusal) => new Refused(refusal);
}

/// <summary>The request was turned down.</summary>
internal sealed record Refused(Refusal Refusal) : Outcome;

/// <summary>The job reached an end (Succeeded, Failed, or Incomplete after its run's deadline).</summary>
internal sealed record JobFinished(JobResult Job) : Outcome;

/// <summary>The job is running; its status so far.</summary>
internal sealed record JobRunning(JobResult Job) : Outcome;

/// <summary>A job's status for a person: the status page, with its chunks' grid.</summary>
internal sealed record JobPage(JobResult Job, IReadOnlyList<GridCell> Grid) : Outcome;

/// <summary>A dry run: the job's plan, nothing stored.</summary>
internal sealed record JobPlanned(JobPlan Plan) : Outcome;

/// <summary>How a chunk's result stands in the ledger.</summary>
internal enum CommitKind
{
    /// <summary>A standalone chunk: nothing is committed.</summary>
    None,
    /// <summary>This delivery committed it.</summary>
    Created,
    /// <summary>It was committed before; the result is the committed one.</summary>
    Duplicate,
}

/// <summary>A chunk was processed (and, for a job's chunk, its result committed).</summary>
internal sealed record ChunkProcessed(ChunkResult Result, CommitKind Commit) : Outcome;

/// <summary>An internal call's answer (a tree node's tally, a quote count), sent back as JSON.</summary>
internal sealed record Answered(object Body, JsonTypeInfo TypeInfo) : Outcome
{
    /// <summary>Typed construction, so body and type info cannot disagree.</summary>
    public static Answered Of<T>(T body, JsonTypeInfo<T> typeInfo) where T : notnull => new(body, typeInfo);
}
