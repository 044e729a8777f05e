using System.Globalization;
using FanOut.Core.Contracts;

namespace FanOut.Core.Ledger;

/// <summary>A job's entry in the index of jobs (<see cref="LedgerPaths.IndexEntry"/>): an empty blob named so that a listing
/// returns the newest job first, with the job's summary in its metadata. Its status is set when the job ends (the result
/// is written) and cleared when a run of it starts again; a job without one is active, and a listing reads its live status.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Processor">Its processor.</param>
/// <param name="CreatedAt">When it was accepted (the entry's place in the index).</param>
/// <param name="Status">The final status, or null while the job is active.</param>
/// <param name="CompletedAt">When it ended, when it did.</param>
/// <param name="Chunks">The final counts, or null while the job is active.</param>
internal sealed record JobIndexEntry(string JobId, string Processor, DateTimeOffset CreatedAt, JobStatus? Status = null, DateTimeOffset? CompletedAt = null, ChunkCounts? Chunks = null)
{
    /// <summary>The entry of a job as it is accepted (active).</summary>
    public static JobIndexEntry Of(JobManifest manifest) => new(manifest.JobId, manifest.Processor, manifest.CreatedAt);

    /// <summary>The entry of a job that ended with <paramref name="result"/>.</summary>
    public static JobIndexEntry Of(JobResult result) =>
        new(result.JobId, result.Processor, result.CreatedAt, result.Status, result.CompletedAt, result.Chunks);

    /// <summary>The blob metadata that holds it.</summary>
    public Dictionary<string, string> ToMetadata()
    {
        var metadata = new Dictionary<string, string>
        {
            ["jobid"] = JobId, ["processor"] = Processor, ["createdat"] = CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        if (Status is not null && Chunks is not null)
        {
            metadata["status"] = Status.Value.ToString();
            metadata["chunks"] = string.Join(',', new[] { Chunks.Total, Chunks.Succeeded, Chunks.Failed, Chunks.Pending }.Select(n => n.ToString(CultureInfo.InvariantCulture)));
            if (CompletedAt is { } completed)
            {
                metadata["completedat"] = completed.ToString("O", CultureInfo.InvariantCulture);
            }
        }
        return metadata;
    }

    /// <summary>The entry held in <paramref name="metadata"/>, or null when it is not one (a foreign blob).</summary>
    public static JobIndexEntry? FromMetadata(IDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("jobid", out var jobId) || !metadata.TryGetValue("processor", out var processor)
            || !metadata.TryGetValue("createdat", out var created) || !DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var createdAt))
        {
            return null;
        }
        var entry = new JobIndexEntry(jobId, processor, createdAt);
        if (metadata.TryGetValue("status", out var name) && Enum.GetNames<JobStatus>().Contains(name) && metadata.TryGetValue("chunks", out var chunks)
            && chunks.Split(',') is { Length: 4 } counts && counts.All(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            var n = counts.Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            entry = entry with
            {
                Status = Enum.Parse<JobStatus>(name), Chunks = new ChunkCounts(n[0], n[1], n[2], n[3]),
                CompletedAt = metadata.TryGetValue("completedat", out var completed) && DateTimeOffset.TryParse(completed, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null,
            };
        }
        return entry;
    }
}

/// <summary>One page of the index: its entries, newest first, and where the next page starts (null at the end).</summary>
internal sealed record JobIndexPage(IReadOnlyList<JobIndexEntry> Entries, string? ContinuationToken);
