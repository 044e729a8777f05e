using FanOut.Core.Diagnostics;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Logging;

namespace FanOut.Core.Runs;

/// <summary>A leaf's lines in its run's progress log (<see cref="ProgressLine"/>): what the chunks it sent came to,
/// written when the first of them ends, every <see cref="Every"/> while they change, and once at the end. Best effort: a line that cannot be
/// written only makes the status of the running job lag; its result comes from the tree, not from these lines.</summary>
internal sealed class LeafProgress : IAsyncDisposable
{
    /// <summary>How often a working leaf writes its line, when it changed.</summary>
    internal static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    private readonly IRunStore _runStore;
    private readonly JobManifest _manifest;
    private readonly NodeWork _work;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _ticking;
    private Task _first = Task.CompletedTask;
    private int _succeeded, _failed, _changes;
    private long _items, _failedItems;

    private readonly int _sent;

    private LeafProgress(IRunStore runStore, JobManifest manifest, NodeWork work, int sent, TimeProvider timeProvider, ILogger logger)
    {
        (_runStore, _manifest, _work, _sent, _logger) = (runStore, manifest, work, sent, logger);
        _ticking = TickAsync(timeProvider, _stop.Token);
    }

    /// <summary>Starts the lines of a leaf that sends <paramref name="sent"/> chunks of <paramref name="work"/>.</summary>
    public static LeafProgress Start(IRunStore runStore, JobManifest manifest, NodeWork work, int sent, TimeProvider timeProvider, ILogger logger) =>
        new(runStore, manifest, work, sent, timeProvider, logger);

    /// <summary>Counts a chunk the leaf sent that ended (thread-safe).</summary>
    public void Record(ChunkOutcome outcome)
    {
        if (outcome.Succeeded)
        {
            Interlocked.Add(ref _items, outcome.Result!.Items);
            Interlocked.Increment(ref _succeeded);
        }
        else if (outcome.Failed)
        {
            Interlocked.Add(ref _failedItems, _manifest.ItemsIn(outcome.Chunk));
            Interlocked.Increment(ref _failed);
        }
        if (Interlocked.Increment(ref _changes) == 1)
        {
            // The first chunk to end is written at once: the job's status turns Running without waiting for a tick.
            _first = WriteAsync();
        }
    }

    /// <summary>Stops the ticks and writes the leaf's last line.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _ticking.ConfigureAwait(false);
        await _first.ConfigureAwait(false);
        _stop.Dispose();
        if (Volatile.Read(ref _changes) > 0)
        {
            await WriteAsync().ConfigureAwait(false);
        }
    }

    private async Task TickAsync(TimeProvider timeProvider, CancellationToken stop)
    {
        var written = 0;
        while (true)
        {
            try
            {
                await Task.Delay(Every, timeProvider, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var changes = Volatile.Read(ref _changes);
            if (changes != written)
            {
                written = changes;
                await WriteAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task WriteAsync()
    {
        // Each count is read once; a line may lag the next one by a chunk, and Seen never goes back.
        var line = new ProgressLine
        {
            First = _work.Span.First,
            Count = _work.Span.Count,
            Sent = _sent,
            Items = Interlocked.Read(ref _items),
            Succeeded = Volatile.Read(ref _succeeded),
            FailedItems = Interlocked.Read(ref _failedItems),
            Failed = Volatile.Read(ref _failed),
        };
        try
        {
            await _runStore.AppendProgressAsync(_manifest.JobId, _work.RunId, line).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            Log.ProgressNotWritten(_logger, _manifest.JobId, _work.Span.First, ex.Message);
        }
    }
}
