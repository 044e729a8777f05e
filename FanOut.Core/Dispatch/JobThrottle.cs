using System.Collections.Concurrent;
using FanOut.Core.Configuration;
using FanOut.Core.Diagnostics;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Dispatch;

/// <summary>Job-wide back-pressure. When any self-call of a job is answered 429 (or 503 with Retry-After),
/// the job pauses: no call of the job, by any dispatcher, starts before the pause ends. A pause is shared
/// at once within the instance, and through the ledger (<c>jobs/{jobId}/pause.json</c>) with the job's
/// dispatchers on other instances, which read it at most once a second. A job's cancel (<c>cancel.json</c>) travels
/// the same way: once a dispatcher has seen it, it sends nothing more of the job. So does the job's concurrency level
/// (<c>concurrency.json</c>, written by <c>update</c>): <see cref="LevelOf"/> is what this instance last saw of it, which
/// every dispatcher of the job follows (<see cref="SelfCalls"/>). One refresh reads the three blobs.</summary>
internal sealed class JobThrottle(ISignalStore signalStore, TimeProvider timeProvider, IOptions<FanOutOptions> options, ILogger<JobThrottle> logger)
{
    /// <summary>How often a dispatcher looks for a pause that another instance recorded.</summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);

    // A pause asked for without Retry-After (a bare 429).
    private static readonly TimeSpan DefaultPause = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, JobState> _jobs = new(StringComparer.Ordinal);

    /// <summary>Waits until the job is not paused (checking the ledger when it has not lately).</summary>
    public async Task WaitAsync(string jobId, CancellationToken cancellationToken)
    {
        var state = _jobs.GetOrAdd(jobId, _ => new JobState());
        await RefreshAsync(jobId, state).WaitAsync(cancellationToken).ConfigureAwait(false);
        for (var wait = state.Until - timeProvider.GetUtcNow(); wait > TimeSpan.Zero; wait = state.Until - timeProvider.GetUtcNow())
        {
            await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True once the job is cancelled (checking the ledger when it has not lately): send nothing more of it.</summary>
    public async Task<bool> IsCancelledAsync(string jobId)
    {
        var state = _jobs.GetOrAdd(jobId, _ => new JobState());
        await RefreshAsync(jobId, state).ConfigureAwait(false);
        return state.Cancelled;
    }

    /// <summary>Notes at once, on this instance, that the job is cancelled (the others read it from the ledger).</summary>
    public void NoteCancelled(string jobId) => _jobs.GetOrAdd(jobId, _ => new JobState()).Cancelled = true;

    /// <summary>The job's concurrency level as this instance last saw it (at most <see cref="RefreshEvery"/> old while any of
    /// its dispatchers here sends: each send refreshes it), or null when it was never changed (the job's <c>maxConcurrency</c>
    /// stands). Reads nothing.</summary>
    public int? LevelOf(string jobId) => _jobs.TryGetValue(jobId, out var state) && state.Level is { } level ? level.Level : null;

    /// <summary>The job's concurrency level (checking the ledger when it has not lately), or null when it was never changed.</summary>
    public async Task<int?> LevelAsync(string jobId)
    {
        var state = _jobs.GetOrAdd(jobId, _ => new JobState());
        await RefreshAsync(jobId, state).ConfigureAwait(false);
        return state.Level?.Level;
    }

    /// <summary>Notes at once, on this instance, the job's new concurrency level (the others read it from the ledger). Of two
    /// levels, the one set later stands, so a refresh that read the ledger before the change cannot undo it.</summary>
    public void NoteLevel(string jobId, JobConcurrency level) => _jobs.GetOrAdd(jobId, _ => new JobState()).Keep(level);

    /// <summary>Forgets, on this instance, that the job was cancelled (a resume runs it again).</summary>
    public void NoteResumed(string jobId)
    {
        if (_jobs.TryGetValue(jobId, out var state))
        {
            state.Cancelled = false;
        }
    }

    /// <summary>Pauses the job for <paramref name="retryAfter"/> (1 s when null), capped at the hop deadline,
    /// unless it is paused longer already.</summary>
    public async Task PauseAsync(string jobId, TimeSpan? retryAfter)
    {
        var cap = TimeSpan.FromSeconds(options.Value.Dispatch.HopDeadlineSeconds);
        var wait = retryAfter is { } asked ? (asked < cap ? asked : cap) : DefaultPause;
        var until = timeProvider.GetUtcNow() + wait;
        var state = _jobs.GetOrAdd(jobId, _ => new JobState());
        lock (state)
        {
            if (until <= state.Until)
            {
                return;
            }
            state.Until = until;
        }
        Log.JobPaused(logger, jobId, wait.TotalMilliseconds);
        try
        {
            await signalStore.WritePauseAsync(jobId, new JobPause { Until = until }).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            Log.PauseNotShared(logger, jobId, ex.Message);
        }
        Prune();
    }

    // At most one ledger read per job per RefreshEvery; every caller meanwhile waits for the one under way.
    private Task RefreshAsync(string jobId, JobState state)
    {
        lock (state)
        {
            if (state.Refresh is { } running && (!running.IsCompleted || timeProvider.GetElapsedTime(state.RefreshedAt) < RefreshEvery))
            {
                return running;
            }
            state.RefreshedAt = timeProvider.GetTimestamp();
            state.Refresh = ReadAsync(jobId, state);
            return state.Refresh;
        }
    }

    private async Task ReadAsync(string jobId, JobState state)
    {
        try
        {
            // The three signals at once: a refresh takes one read's time, not three.
            var began = timeProvider.GetUtcNow();
            var (pause, cancel, concurrency) = (signalStore.ReadPauseAsync(jobId), signalStore.ReadCancelAsync(jobId), signalStore.ReadConcurrencyAsync(jobId));
            await Task.WhenAll(pause, cancel, concurrency).ConfigureAwait(false);
            if (await pause.ConfigureAwait(false) is { } recorded)
            {
                lock (state)
                {
                    state.Until = recorded.Until > state.Until ? recorded.Until : state.Until;
                }
            }
            state.Cancelled = await cancel.ConfigureAwait(false) is not null;
            if (await concurrency.ConfigureAwait(false) is { } level)
            {
                state.Keep(level);
            }
            else
            {
                state.Forget(setBefore: began); // the job's blobs were purged (and its id may be a new job's)
            }
        }
        catch (StorageUnavailableException ex)
        {
            // Without the ledger the job goes on at the pace this instance knows; the calls themselves will say.
            Log.PauseNotShared(logger, jobId, ex.Message);
        }
    }

    // Forgets jobs whose pause is long over, so that a long-lived instance does not keep every job it saw.
    private void Prune()
    {
        if (_jobs.Count < 10_000)
        {
            return;
        }
        var old = timeProvider.GetUtcNow() - TimeSpan.FromMinutes(10);
        foreach (var (jobId, state) in _jobs)
        {
            if (state.Until < old)
            {
                _jobs.TryRemove(jobId, out _);
            }
        }
    }

    private sealed class JobState
    {
        public DateTimeOffset Until { get; set; } = DateTimeOffset.MinValue;

        public long RefreshedAt { get; set; }

        public Task? Refresh { get; set; }

        public volatile bool Cancelled;

        private readonly Lock _levelGate = new();

        // Replaced whole (a reference), so a reader never sees half of it.
        private JobConcurrency? _level;

        public JobConcurrency? Level => Volatile.Read(ref _level);

        public void Keep(JobConcurrency level)
        {
            lock (_levelGate)
            {
                if (_level is null || level.SetAt >= _level.SetAt)
                {
                    Volatile.Write(ref _level, level);
                }
            }
        }

        // A level noted here after the read began (an update on this instance) stands: the read may have missed its write.
        public void Forget(DateTimeOffset setBefore)
        {
            lock (_levelGate)
            {
                if (_level is not null && _level.SetAt < setBefore)
                {
                    Volatile.Write(ref _level, null);
                }
            }
        }
    }
}
