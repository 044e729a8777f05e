using System.Globalization;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Outcomes;
using FanOut.Core.Requests;
using FanOut.Core.Runs;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary><c>GET /api/batch?status=…&amp;top=…&amp;continuationToken=…</c>: the jobs, newest first, a page at a time, from the
/// index of jobs (<see cref="JobIndexEntry"/>). A job that ended is summarised from its index entry; an active one from
/// its live status, which costs a few storage calls whatever its size; so a page costs the same whatever the jobs'
/// chunk counts. With <c>status</c>, a page holds the jobs of that status among its <c>top</c> entries (it may hold
/// fewer, even none): follow <c>continuationToken</c> to the end.</summary>
internal sealed class JobListing(IJobStore jobStore, JobStatusReader status, IOptions<FanOutOptions> options)
{
    /// <summary>The most jobs a page may ask for.</summary>
    public const int MaxTop = 100;

    private const int DefaultTop = 50;
    private static readonly string[] Statuses = Enum.GetNames<JobStatus>();

    /// <summary>Answers one page.</summary>
    public async Task<Outcome> ListAsync(string? statusFilter, string? top, string? continuationToken, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (statusFilter is not null && !Statuses.Contains(statusFilter, StringComparer.Ordinal))
        {
            errors.Add("status", $"One of {string.Join(", ", Statuses)}.");
        }
        var count = DefaultTop;
        if (top is not null && (!int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxTop))
        {
            errors.Add("top", $"A whole number from 1 to {MaxTop}.");
        }
        if (continuationToken is { Length: 0 or > 2048 })
        {
            errors.Add("continuationToken", "The token of the page before, as it was given.");
        }
        if (!errors.IsEmpty)
        {
            return Refusal.Invalid(errors);
        }
        var page = await jobStore.ListJobsAsync(count, continuationToken, cancellationToken).ConfigureAwait(false);
        var jobs = await Task.WhenAll(page.Entries.Select(entry => SummaryAsync(entry, cancellationToken))).ConfigureAwait(false);
        var listed = jobs.OfType<JobSummary>().Where(job => statusFilter is null || job.Status.ToString() == statusFilter).ToList();
        return Answered.Of(new JobList(listed, page.ContinuationToken), FanOutJsonContext.Default.JobList);
    }

    // An ended job's summary is in its entry; an active one's is read live (null: purged meanwhile).
    private async Task<JobSummary?> SummaryAsync(JobIndexEntry entry, CancellationToken cancellationToken)
    {
        if (entry is { Status: { } ended, Chunks: { } chunks })
        {
            return new JobSummary(entry.JobId, ended, entry.Processor, entry.CreatedAt, entry.CompletedAt, chunks, options.Value.StatusUrl(entry.JobId));
        }
        if (await jobStore.GetManifestAsync(entry.JobId, cancellationToken).ConfigureAwait(false) is not { } manifest)
        {
            return null;
        }
        var job = await jobStore.ReadResultAsync(entry.JobId, cancellationToken).ConfigureAwait(false)
                  ?? await status.LiveAsync(manifest, cancellationToken).ConfigureAwait(false);
        return new JobSummary(job.JobId, job.Status, job.Processor, job.CreatedAt, job.CompletedAt, job.Chunks, job.StatusUrl);
    }
}
