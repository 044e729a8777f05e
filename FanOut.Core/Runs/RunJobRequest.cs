using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Requests;

namespace FanOut.Core.Runs;

/// <summary>The body of <c>dispatch</c> (internal): run a stored job, the root of its dispatch tree, as hop
/// <see cref="Hop"/> of its chain. Written and read through the one <see cref="RunsJsonContext.RunJobRequest"/>.</summary>
/// <remarks>Settable properties: read through System.Text.Json's fast path.</remarks>
internal sealed record RunJobRequest : IDispatchMessage
{
    /// <summary>Always <c>dispatch</c>.</summary>
    public string Action { get; set; } = BatchActions.Dispatch;

    /// <summary>The job to run.</summary>
    public string? JobId { get; set; }

    /// <summary>Identifies the run in the ledger's dispatch marker.</summary>
    public string? RunId { get; set; }

    /// <summary>Hops of internal calls that led here: always 1, the top of the tree.</summary>
    public int Depth { get; set; } = 1;

    /// <summary>The run's place in the job's chain of hops (absent: 1, a run a client started).</summary>
    public int? Hop { get; set; }

    /// <summary>At a later hop: the run that handed the job over, whose lease this run may take.</summary>
    public string? Predecessor { get; set; }

    /// <summary>Milliseconds the run may take before it answers; the caller stops waiting after them.</summary>
    public int? BudgetMs { get; set; }

    /// <summary>When the caller stops waiting, on the caller's clock (absent: its budget from when it is read).</summary>
    public DateTimeOffset? Deadline { get; set; }

    /// <summary>The run <paramref name="runId"/> of <paramref name="jobId"/>, hop <paramref name="hop"/>, taking over from
    /// <paramref name="predecessor"/> if there is one.</summary>
    public static RunJobRequest For(string jobId, string runId, TimeSpan budget, int hop = 1, string? predecessor = null) => new()
    {
        JobId = jobId,
        RunId = runId,
        Hop = hop > 1 ? hop : null,
        Predecessor = hop > 1 ? predecessor : null,
        BudgetMs = (int)budget.TotalMilliseconds,
    };

    /// <summary>Adds what is wrong with this request to <paramref name="errors"/>.</summary>
    public void Validate(FieldErrors errors, DispatchOptions dispatch)
    {
        MessageFields.Validate(JobId, RunId, BudgetMs, errors, dispatch);
        if (Hop is < 1 || Hop > dispatch.MaxHops)
        {
            errors.Add("hop", $"1 to MaxHops ({dispatch.MaxHops}).");
        }
        if (Predecessor is { } predecessor && (!JobIds.IsValid(predecessor) || Hop is null or 1))
        {
            errors.Add("predecessor", "Only with a hop after the first: the run id of the run that handed the job over.");
        }
    }
}

/// <summary>The checks of the fields every message of a run's tree has.</summary>
internal static class MessageFields
{
    /// <summary>Adds what is wrong with a message's job id, run id and budget to <paramref name="errors"/>.</summary>
    public static void Validate(string? jobId, string? runId, int? budgetMs, FieldErrors errors, DispatchOptions dispatch)
    {
        if (jobId is null || !JobIds.IsValid(jobId))
        {
            errors.Add("jobId", "Required: a valid job id.");
        }
        if (runId is null || !JobIds.IsValid(runId))
        {
            errors.Add("runId", "Required: 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-' (it names the run's progress log).");
        }
        if (budgetMs is < 1 || budgetMs > dispatch.HopDeadlineSeconds * 1000)
        {
            errors.Add("budgetMs", $"Must be 1 to {dispatch.HopDeadlineSeconds * 1000} (the hop deadline).");
        }
    }
}
