using FanOut.Core.Configuration;
using FanOut.Core.Requests;

namespace FanOut.Core.Runs;

/// <summary>What the two dispatch messages (<see cref="RunJobRequest"/>, <see cref="TreeNodeRequest"/>) have in common, for
/// <see cref="DispatchHandler"/> to admit them alike: the job, the depth, the caller's budget and deadline, and their own rules.</summary>
internal interface IDispatchMessage
{
    /// <summary>The job.</summary>
    string? JobId { get; }

    /// <summary>Hops of internal calls that led here.</summary>
    int Depth { get; }

    /// <summary>Milliseconds the call may take before it answers (absent: the hop deadline).</summary>
    int? BudgetMs { get; }

    /// <summary>When the caller stops waiting, on its clock.</summary>
    DateTimeOffset? Deadline { get; }

    /// <summary>Adds what is wrong with the message, on its own, to <paramref name="errors"/>.</summary>
    void Validate(FieldErrors errors, DispatchOptions dispatch);
}
