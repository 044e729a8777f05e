using System.Globalization;

namespace FanOut.Core.Ledger;

/// <summary>Blob names of a job. Every name is built here, below <c>jobs/{jobId}/</c> of a valid job id (and the job's
/// entry in the index of jobs, <c>index/</c>), so no path through the code writes outside its job's folder.</summary>
internal static class LedgerPaths
{
    /// <summary><c>jobs/{jobId}/</c>, for a job id that passed <see cref="JobIds.IsValid"/>.</summary>
    public static string Job(string jobId) =>
        JobIds.IsValid(jobId) ? $"jobs/{jobId}/" : throw new ArgumentException($"Not a valid job id: '{jobId}'.", nameof(jobId));

    /// <summary>Folder of the index of jobs, the one name outside a job's folder (<see cref="JobIndexEntry"/>).</summary>
    public const string Index = "index/";

    /// <summary>A job's entry in the index: <c>index/{ticks to the end of time:D19}-{jobId}</c>, so that names sort newest first.</summary>
    public static string IndexEntry(string jobId, DateTimeOffset createdAt) =>
        JobIds.IsValid(jobId)
            ? Index + (DateTimeOffset.MaxValue.UtcTicks - createdAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + jobId
            : throw new ArgumentException($"Not a valid job id: '{jobId}'.", nameof(jobId));

    /// <summary>The job as accepted.</summary>
    public static string Manifest(string jobId) => Job(jobId) + "manifest.json";

    /// <summary>Folder of the job's input.</summary>
    public static string Inputs(string jobId) => Job(jobId) + "input/";

    /// <summary>The job's input: the plan of a blob source, named by the request's fingerprint so that a
    /// competing request with the same job id can never overwrite it.</summary>
    public static string Input(string jobId, string fingerprint) => Inputs(jobId) + $"{fingerprint}.json";

    /// <summary>The job's input when it has inline items (ItemLines, in Sources), named the same way.</summary>
    public static string Items(string jobId, string fingerprint) => Inputs(jobId) + $"{fingerprint}{ItemsExtension}";

    /// <summary>The extension of <see cref="Items"/>.</summary>
    public const string ItemsExtension = ".items";

    /// <summary>The latest dispatch run.</summary>
    public static string DispatchMarker(string jobId) => Job(jobId) + "dispatch.json";

    /// <summary>The last final status the job's notify URL acknowledged.</summary>
    public static string Notice(string jobId) => Job(jobId) + "notice.json";

    /// <summary>The watchdog's resumes of the job (<see cref="WatchdogResumes"/>).</summary>
    public static string WatchdogResumes(string jobId) => Job(jobId) + "watchdog.json";

    /// <summary>What a run hands its next hop (<see cref="RunHandOver"/>).</summary>
    public static string HandOver(string jobId) => Job(jobId) + "handover.json";

    /// <summary>That the job was cancelled: its dispatchers send nothing more.</summary>
    public static string Cancel(string jobId) => Job(jobId) + "cancel.json";

    /// <summary>Until when the job's dispatchers hold back (back-pressure).</summary>
    public static string Pause(string jobId) => Job(jobId) + "pause.json";

    /// <summary>The job's concurrency level, when it was changed since its start (<see cref="JobConcurrency"/>).</summary>
    public static string Concurrency(string jobId) => Job(jobId) + "concurrency.json";

    /// <summary>Folder of committed chunk results.</summary>
    public static string Chunks(string jobId) => Job(jobId) + "chunks/";

    /// <summary>A chunk's committed result.</summary>
    public static string Chunk(string jobId, int index) => Chunks(jobId) + Name(index);

    /// <summary><c>jobs/{jobId}/ranges/{first}-{count}.json</c>: the tally of a range of the job's tree whose chunks were
    /// all committed, recorded so that a later hop takes it in one read instead of reading every chunk of it.</summary>
    public static string RangeTally(string jobId, int first, int count) =>
        Job(jobId) + "ranges/" + first.ToString("D9", CultureInfo.InvariantCulture) + "-" + count.ToString(CultureInfo.InvariantCulture) + ".json";

    /// <summary>Folder of chunk failures.</summary>
    public static string Failures(string jobId) => Job(jobId) + "failures/";

    /// <summary>Why a chunk failed, last time it was tried.</summary>
    public static string Failure(string jobId, int index) => Failures(jobId) + Name(index);

    /// <summary>Folder of the records the job's chunks emitted.</summary>
    public static string Outputs(string jobId) => Job(jobId) + "output/";

    /// <summary>The records a chunk emitted: <c>output/part-{index:D6}.{format}</c>.</summary>
    public static string Output(string jobId, int index, string format) =>
        Outputs(jobId) + $"part-{index.ToString("D6", CultureInfo.InvariantCulture)}.{format}";

    /// <summary>Folder of the job's runs' progress logs.</summary>
    public static string Progresses(string jobId) => Job(jobId) + "progress/";

    /// <summary>Chunks whose progress lines share one log: a log is an append blob, and an append blob holds at
    /// most 50,000 appends.</summary>
    public const int ProgressShardChunks = 100_000;

    /// <summary>A run's progress log (<see cref="ProgressLine"/>) for the chunks from
    /// <c>shard * ProgressShardChunks</c> on: <c>progress/{runId}-{shard:D2}.ndjson</c>.</summary>
    public static string Progress(string jobId, string runId, int shard) =>
        JobIds.IsValid(runId) ? Progresses(jobId) + $"{runId}-{shard.ToString("D2", CultureInfo.InvariantCulture)}.ndjson"
            : throw new ArgumentException($"Not a valid run id: '{runId}'.", nameof(runId));

    /// <summary>How many progress logs a run of <paramref name="chunkCount"/> chunks has at most.</summary>
    public static int ProgressShards(int chunkCount) => Math.Max(1, (chunkCount + ProgressShardChunks - 1) / ProgressShardChunks);

    /// <summary>The job's fan-in result.</summary>
    public static string Result(string jobId) => Job(jobId) + "result.json";

    /// <summary>The chunk index in a blob name of <see cref="Chunks"/> or <see cref="Failures"/>.</summary>
    public static int IndexOf(string blobName)
    {
        var file = blobName[(blobName.LastIndexOf('/') + 1)..];
        return int.Parse(file.AsSpan(0, file.IndexOf('.')), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static string Name(int index) => index.ToString("D6", CultureInfo.InvariantCulture) + ".json";
}
