using System.Collections;
using System.Collections.Concurrent;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;

namespace FanOut.Core.Runs;

/// <summary>What a run starts from: the chunks done before it (committed), their count and items, and the chunks that
/// failed before (the run tries them again). A hop handed the job by the run before it starts from that run's hand-over
/// (<see cref="RunHandOver"/>: one read), a listing of the failures, and a read of each chunk the run before sent and heard
/// nothing back from (a few: its calls in flight at its deadline); any other run (a first run, a resume, a hop whose
/// hand-over is missing) lists the job's committed chunks. On Azurite a listing costs time in proportion to the store: at
/// 275,000 committed chunks the list took 130 s of a 200 s hop, so a million-chunk job listed itself to a standstill.</summary>
internal sealed class RunStart
{
    private readonly BitArray _done;

    private RunStart(BitArray done, int succeeded, long items, IReadOnlyList<int> failed) =>
        (_done, Succeeded, Items, Failed) = (done, succeeded, items, failed);

    /// <summary>Chunks committed before the run, as far as it knows (a chunk it takes for pending may be committed: sent
    /// again, its commit comes back).</summary>
    public int Succeeded { get; }

    /// <summary>Items of those chunks.</summary>
    public long Items { get; }

    /// <summary>Chunks with a failure record, ascending.</summary>
    public IReadOnlyList<int> Failed { get; }

    /// <summary>True when <paramref name="chunk"/> was committed before the run, and not failed since.</summary>
    public bool IsDone(int chunk) => _done[chunk];

    /// <summary>How many unsure chunks a run reads at once.</summary>
    private const int UnsureReads = 16;

    /// <summary>Reads where run <paramref name="runId"/> of <paramref name="manifest"/>'s job starts from.</summary>
    public static async Task<RunStart> ReadAsync(IChunkStore chunkStore, IRunStore runStore, JobManifest manifest, string runId)
    {
        var count = manifest.ChunkCount;
        if (await runStore.ReadHandOverAsync(manifest.JobId).ConfigureAwait(false) is { } handOver && handOver.IsFor(runId, count))
        {
            var failed = await chunkStore.ReadFailedAsync(manifest.JobId).ConfigureAwait(false);
            var done = new BitArray(count, true);
            foreach (var run in handOver.Pending)
            {
                for (var i = run.First; i < run.End; i++)
                {
                    done[i] = false;
                }
            }
            foreach (var chunk in failed.Where(chunk => chunk < count))
            {
                done[chunk] = false;
            }
            var (succeeded, items) = (handOver.Succeeded, handOver.Items);
            foreach (var found in await ReadUnsureAsync(chunkStore, manifest.JobId, handOver.Unsure.SelectMany(Chunks).Where(i => !done[i])).ConfigureAwait(false))
            {
                done[found.Chunk] = true;
                (succeeded, items) = (succeeded + 1, items + found.Items);
            }
            return new RunStart(done, succeeded, items, failed);
        }
        var snapshot = await chunkStore.ReadSnapshotAsync(manifest.JobId).ConfigureAwait(false);
        var committed = new BitArray(count);
        foreach (var chunk in snapshot.Committed.Keys.Where(chunk => chunk < count))
        {
            committed[chunk] = true;
        }
        return new RunStart(committed, snapshot.Committed.Count, snapshot.Committed.Values.Sum(), snapshot.Failed);
    }

    /// <summary>What the run hands its next hop, <paramref name="nextRunId"/>, when its walk came to <paramref name="total"/>: what
    /// it started from plus what its calls committed, and the chunks it leaves open. Null when it does not know them (more
    /// runs than a tally carries) or leaves too many unsure (<see cref="RunHandOver.MaxUnsure"/>).</summary>
    public RunHandOver? HandOver(string nextRunId, ChunkTally total) =>
        total.Open is { } open && total.Unsure.Sum(run => (long)run.Count) <= RunHandOver.MaxUnsure
            ? new RunHandOver { RunId = nextRunId, Succeeded = Succeeded + total.NewlySucceeded, Items = Items + total.NewItems, Pending = open, Unsure = total.Unsure }
            : null;

    private static IEnumerable<int> Chunks(ChunkSpan run) => Enumerable.Range(run.First, run.Count);

    // The unsure chunks that are committed: sent by the run before, their answer lost. One that cannot be read stays pending:
    // sent again, its commit comes back.
    private static async Task<IReadOnlyList<CommittedChunk>> ReadUnsureAsync(IChunkStore chunkStore, string jobId, IEnumerable<int> unsure)
    {
        var committed = new ConcurrentBag<CommittedChunk>();
        await Parallel.ForEachAsync(unsure, new ParallelOptions { MaxDegreeOfParallelism = UnsureReads }, async (chunk, ct) =>
        {
            try
            {
                if (await chunkStore.ReadChunkAsync(jobId, chunk, ct).ConfigureAwait(false) is { } found)
                {
                    committed.Add(found);
                }
            }
            catch (StorageUnavailableException)
            {
                // Pending: sent again.
            }
        }).ConfigureAwait(false);
        return [.. committed];
    }
}
