using System.Collections.Concurrent;
using FanOut.Core.Configuration;
using FanOut.Core.Diagnostics;
using FanOut.Core.Ledger;
using FanOut.Core.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Watchdog;

/// <summary>One pass of the watchdog, the timer-triggered function that keeps a job going when the instance running it
/// is lost: it finds the active jobs (index entries without a final summary) whose run is gone, its lease lapsed (or let
/// go) with no result written, and resumes each as the <c>resume</c> action does (a new root run through
/// <see cref="RunStarter"/>), without waiting for the job's end. A job is resumed at most <c>MaxResumes</c> times, each
/// counted before its run starts with a conditional write (<see cref="WatchdogResumes"/>), so two watchdogs that find the
/// same dead run count it, and start it, once; and the run lease lets one run hold a job whatever happens.</summary>
public sealed class JobWatchdog
{
    /// <summary>Index entries one listing call returns.</summary>
    internal const int PageSize = 100;

    /// <summary>Listing calls a pass makes at most: it looks at no more than <c>PageSize * PagesPerPass</c> jobs.</summary>
    internal const int PagesPerPass = 5;

    /// <summary>Jobs a pass resumes at once: each waits until its run shows in the ledger.</summary>
    internal const int ResumesAtOnce = 8;

    /// <summary>A job that no run ever took (its first dispatch never arrived) is left to its start this long.</summary>
    internal static readonly TimeSpan NeverRunGrace = TimeSpan.FromMinutes(2);

    /// <summary>A resume counted from a dead run that is still the job's last (its dispatch never took) is counted and
    /// sent again only this long after.</summary>
    internal static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(2);

    private readonly IJobStore _jobStore;
    private readonly IRunStore _runStore;
    private readonly RunStarter _starter;
    private readonly JobIds _jobIds;
    private readonly IndexCursor _cursor;
    private readonly TimeProvider _timeProvider;
    private readonly WatchdogOptions _options;
    private readonly ILogger<JobWatchdog> _logger;

    internal JobWatchdog(
        IJobStore jobStore, IRunStore runStore, RunStarter starter, JobIds jobIds, IndexCursor cursor, TimeProvider timeProvider, IOptions<FanOutOptions> options,
        ILogger<JobWatchdog> logger)
    {
        (_jobStore, _runStore, _starter, _jobIds, _cursor, _timeProvider) = (jobStore, runStore, starter, jobIds, cursor, timeProvider);
        (_options, _logger) = (options.Value.Watchdog, logger);
    }

    /// <summary>Runs one pass and answers how many jobs it resumed.</summary>
    /// <param name="cancellationToken">Signals that the host is stopping: the pass stops looking; runs it started go on.</param>
    public async Task<int> RunPassAsync(CancellationToken cancellationToken = default)
    {
        if (_options.MaxResumes == 0)
        {
            return 0; // turned off
        }
        List<(JobIndexEntry Entry, DispatchMarker? Run)> dead;
        int read, active;
        try
        {
            (read, dead, active) = await GoneJobsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            // The next pass looks again; a storage outage is the storage check's to report, not a failed function's.
            Log.StorageUnavailable(_logger, "the watchdog's pass", ex.Message);
            return 0;
        }
        var resumed = 0;
        await Parallel.ForEachAsync(dead, new ParallelOptions { MaxDegreeOfParallelism = ResumesAtOnce, CancellationToken = cancellationToken },
            async (job, token) =>
            {
                if (await ResumeAsync(job.Entry.JobId, job.Run, token).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref resumed);
                }
            }).ConfigureAwait(false);
        Log.WatchdogPass(_logger, read, active, dead.Count, resumed);
        return resumed;
    }

    // The jobs of the next stretch of the index whose run is gone: one marker read per active job.
    private async Task<(int Read, List<(JobIndexEntry Entry, DispatchMarker? Run)> Gone, int Active)> GoneJobsAsync(CancellationToken cancellationToken)
    {
        var (read, active) = await ActiveJobsAsync(cancellationToken).ConfigureAwait(false);
        var gone = new ConcurrentBag<(JobIndexEntry Entry, DispatchMarker? Run)>();
        await Parallel.ForEachAsync(active, new ParallelOptions { MaxDegreeOfParallelism = ResumesAtOnce, CancellationToken = cancellationToken },
            async (entry, token) =>
            {
                var run = await _runStore.ReadDispatchMarkerAsync(entry.JobId, token).ConfigureAwait(false);
                if (IsGone(entry, run, _timeProvider.GetUtcNow()))
                {
                    gone.Add((entry, run));
                }
            }).ConfigureAwait(false);
        return (read, [.. gone], active.Count);
    }

    // The active entries of the next stretch of the index (PagesPerPass listings at most); the cursor moves past it.
    private async Task<(int Read, List<JobIndexEntry> Active)> ActiveJobsAsync(CancellationToken cancellationToken)
    {
        var (read, active, token) = (0, new List<JobIndexEntry>(), _cursor.Next);
        for (var page = 0; page < PagesPerPass; page++)
        {
            var listed = await _jobStore.ListJobsAsync(PageSize, token, cancellationToken).ConfigureAwait(false);
            read += listed.Entries.Count;
            active.AddRange(listed.Entries.Where(e => e.Status is null));
            token = listed.ContinuationToken;
            if (token is null)
            {
                break;
            }
        }
        _cursor.Next = token;
        return (read, active);
    }

    // Nothing runs the job: its run's lease lapsed or was let go (a result, if any, is checked next); or no run ever took
    // it, long after it was accepted.
    private static bool IsGone(JobIndexEntry entry, DispatchMarker? run, DateTimeOffset now) =>
        run is null ? now - entry.CreatedAt > NeverRunGrace : !run.HoldsAt(now);

    private async Task<bool> ResumeAsync(string jobId, DispatchMarker? run, CancellationToken cancellationToken)
    {
        try
        {
            // The run may have written the job's result (and let it go) since the index was read.
            if (await _jobStore.ReadResultAsync(jobId, cancellationToken).ConfigureAwait(false) is not null)
            {
                return false;
            }
            var deadRun = run?.RunId ?? WatchdogResumes.NoRun;
            var now = _timeProvider.GetUtcNow();
            var counted = await _runStore.TryUpdateWatchdogResumesAsync(jobId, current => current switch
            {
                { Count: var count } when count >= _options.MaxResumes => null,
                // Counted already, by this watchdog or another one: its run is on its way.
                { FromRunId: var from, At: var at } when from == deadRun && now - at < RetryAfter => null,
                _ => new WatchdogResumes { Count = (current?.Count ?? 0) + 1, FromRunId = deadRun, At = now },
            }, cancellationToken).ConfigureAwait(false);
            if (counted is null)
            {
                return false;
            }
            Log.WatchdogResumes(_logger, jobId, deadRun, counted.Count, _options.MaxResumes);
            // As resume does, without waiting for the job: the call returns once the new run holds the job (or the job is done).
            var answer = await _starter.StartAsync(jobId, _jobIds.NewId(), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            if (answer is RunReply.Finished or RunReply.Running)
            {
                return true;
            }
            Log.WatchdogResumeFailed(_logger, jobId, answer is RunReply.Failed { Error: var error } ? error : "The run found no such job.");
            return false;
        }
        catch (StorageUnavailableException ex)
        {
            // The next pass tries again.
            Log.WatchdogResumeFailed(_logger, jobId, ex.Message);
            return false;
        }
    }
}
