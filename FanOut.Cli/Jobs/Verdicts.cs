using System.Globalization;
using System.Text;
using FanOut.Cli.Api;
using FanOut.Contracts;

namespace FanOut.Cli.Jobs;

/// <summary>Turns the app's answers into verdicts: the exit code and the words for it.</summary>
internal static class Verdicts
{
    private const int FailuresShown = 3;

    /// <summary>The verdict on an answer as it stands: a job's status (finished or not), a refusal, or a failure of the app.</summary>
    public static Verdict Of(ApiAnswer answer)
    {
        if (answer.Job is not { } job)
        {
            return answer.Problem is null
                ? new Verdict(ExitCodes.Succeeded, answer, "The app answered without a job's status (a dry run's plan).")
                : Problem(answer);
        }
        var chunks = job.Chunks ?? new ChunkCounts(0, 0, 0, 0);
        var items = job.Items?.Processed ?? 0;
        return job.Status switch
        {
            JobStatus.Succeeded => new Verdict(ExitCodes.Succeeded, answer, Invariant(
                $"Job {job.JobId} Succeeded: {chunks.Succeeded} of {chunks.Total} chunks, {items:N0} items") +
                (chunks.Failed > 0 ? Invariant($"; {chunks.Failed} chunks failed, within its tolerance") + Failures(job) : ".")),
            JobStatus.Failed => new Verdict(ExitCodes.Failed, answer, Invariant(
                $"Job {job.JobId} Failed: {chunks.Failed} of {chunks.Total} chunks failed") + Failures(job)),
            JobStatus.Cancelled => new Verdict(ExitCodes.Failed, answer, Invariant(
                $"Job {job.JobId} was Cancelled: {chunks.Succeeded} of {chunks.Total} chunks had succeeded, {chunks.Pending} were left.")),
            _ => new Verdict(ExitCodes.GaveUp, answer, Invariant(
                $"Job {job.JobId} is {job.Status}: {chunks.Succeeded + chunks.Failed} of {chunks.Total} chunks finished.")),
        };
    }

    /// <summary>A problem the app answered: refused (4xx), or failing (5xx after every retry).</summary>
    public static Verdict Problem(ApiAnswer answer)
    {
        var problem = answer.Problem!;
        var text = new StringBuilder(answer.IsRefusal ? "Refused" : "The app failed")
            .Append(CultureInfo.InvariantCulture, $" ({answer.StatusCode}): {problem.Title}");
        if (!string.IsNullOrWhiteSpace(problem.Detail))
        {
            text.Append(' ').Append(problem.Detail);
        }
        foreach (var (field, messages) in problem.Errors ?? new Dictionary<string, string[]>())
        {
            text.AppendLine().Append("  ").Append(field).Append(": ").AppendJoin(" ", messages);
        }
        return new Verdict(answer.IsRefusal ? ExitCodes.Refused : ExitCodes.Unreachable, answer, text.ToString());
    }

    private static string Failures(JobResult job)
    {
        // An answer may say "failures": null (the model's default is then not used): read as none.
        var failures = job.Failures ?? [];
        var shown = failures.Take(FailuresShown).Select(f => Invariant($"\n  chunk {f.Chunk} (after {f.Attempts} attempts): {f.Error}"));
        var more = failures.Count > FailuresShown ? Invariant($"\n  … and {(job.Chunks?.Failed ?? failures.Count) - FailuresShown} more") : "";
        return ":" + string.Concat(shown) + more;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
