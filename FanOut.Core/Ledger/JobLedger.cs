using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Ledger;

/// <summary>The single source of truth of every job, in Blob Storage (layout in <see cref="LedgerPaths"/>).
/// A chunk's result is committed with If-None-Match: *, so the first commit wins and a duplicate delivery
/// finds the committed one. Transient storage failures surface as <see cref="StorageUnavailableException"/>.</summary>
internal sealed class JobLedger(BlobServiceClient service, IOptions<FanOutOptions> options) : IJobLedger
{
    private const string ItemsMetadata = "items";
    // Rounds of read, decide, conditional write before a contended update (the marker, the result, the notice) gives up.
    private const int UpdateAttempts = 5;
    private static readonly BlobHttpHeaders Json = new() { ContentType = "application/json" };
    private static readonly BlobHttpHeaders NdjsonHeaders = new() { ContentType = "application/x-ndjson" };
    private static readonly BlobRequestConditions IfNew = new() { IfNoneMatch = ETag.All };

    private readonly BlobContainerClient _container = service.GetBlobContainerClient(options.Value.Storage.Container);
    private volatile Task? _created;

    /// <summary>The job's manifest, or null when there is no such job.</summary>
    public Task<JobManifest?> GetManifestAsync(string jobId, CancellationToken cancellationToken = default) =>
        ReadAsync(LedgerPaths.Manifest(jobId), LedgerJsonContext.Default.JobManifest, cancellationToken);

    /// <inheritdoc/>
    public Task<JobManifest> CreateAsync(JobManifest manifest, BinaryData input, CancellationToken cancellationToken = default) =>
        GuardAsync(async () =>
        {
            var wroteInput = await TryUploadNewAsync(manifest.InputBlob, input, null, cancellationToken).ConfigureAwait(false);
            var bytes = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(manifest, LedgerJsonContext.Default.JobManifest));
            if (await TryUploadNewAsync(LedgerPaths.Manifest(manifest.JobId), bytes, null, cancellationToken).ConfigureAwait(false))
            {
                await WriteIndexAsync(JobIndexEntry.Of(manifest), cancellationToken).ConfigureAwait(false);
                return manifest;
            }
            var stored = (await GetManifestAsync(manifest.JobId, cancellationToken).ConfigureAwait(false))!;
            if (wroteInput && stored.InputBlob != manifest.InputBlob)
            {
                // Another request took the job id first: the input this one wrote belongs to no job.
                await (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(manifest.InputBlob)
                    .DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            return stored;
        });

    /// <inheritdoc/>
    public Task<byte[]> ReadInputRangeAsync(string blobName, long offset, int length, CancellationToken cancellationToken = default) =>
        GuardAsync(async () => (await (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(blobName)
            .DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken).ConfigureAwait(false))
            .Value.Content.ToArray());

    /// <inheritdoc/>
    public Task<BinaryData> ReadInputAsync(JobManifest manifest, CancellationToken cancellationToken = default) =>
        GuardAsync(async () => (await (await ContainerAsync(cancellationToken).ConfigureAwait(false))
            .GetBlobClient(manifest.InputBlob).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content);

    /// <summary>Commits a chunk's result unless one is committed already, and returns the one that stands.</summary>
    public Task<ChunkCommit> CommitChunkAsync(CommittedChunk result, CancellationToken cancellationToken = default) =>
        GuardAsync(async () =>
        {
            var name = LedgerPaths.Chunk(result.JobId, result.Chunk);
            var bytes = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(result, LedgerJsonContext.Default.CommittedChunk));
            var metadata = new Dictionary<string, string> { [ItemsMetadata] = result.Items.ToString(CultureInfo.InvariantCulture) };
            if (await TryUploadNewAsync(name, bytes, metadata, cancellationToken).ConfigureAwait(false))
            {
                return new ChunkCommit(result, IsDuplicate: false);
            }
            var committed = await ReadAsync(name, LedgerJsonContext.Default.CommittedChunk, cancellationToken).ConfigureAwait(false);
            return new ChunkCommit(committed!, IsDuplicate: true);
        });

    /// <summary>Writes (or rewrites, with the same records) a chunk's output part; returns its name.</summary>
    public Task<string> WriteOutputAsync(string jobId, int index, string format, ReadOnlyMemory<byte> records, CancellationToken cancellationToken = default) =>
        GuardAsync(async () =>
        {
            var name = LedgerPaths.Output(jobId, index, format);
            await UploadAsync(name, BinaryData.FromBytes(records), new BlobUploadOptions { HttpHeaders = NdjsonHeaders }, cancellationToken).ConfigureAwait(false);
            return name;
        });

    /// <summary>A chunk's committed result, or null.</summary>
    public Task<CommittedChunk?> ReadChunkAsync(string jobId, int index, CancellationToken cancellationToken = default) =>
        ReadAsync(LedgerPaths.Chunk(jobId, index), LedgerJsonContext.Default.CommittedChunk, cancellationToken);

    /// <summary>Records why a chunk failed (replacing an earlier record of it).</summary>
    public Task RecordFailureAsync(string jobId, ChunkFailure failure, CancellationToken cancellationToken = default) =>
        WriteAsync(LedgerPaths.Failure(jobId, failure.Chunk), failure, LedgerJsonContext.Default.ChunkFailure, cancellationToken);

    /// <summary>Which chunks are committed (with their item counts) and which failed, from two listings.</summary>
    public Task<LedgerSnapshot> ReadSnapshotAsync(string jobId, CancellationToken cancellationToken = default) =>
        GuardAsync(async () =>
        {
            var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
            var committed = new Dictionary<int, long>();
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, LedgerPaths.Chunks(jobId), cancellationToken).ConfigureAwait(false))
            {
                committed[LedgerPaths.IndexOf(blob.Name)] = long.Parse(blob.Metadata[ItemsMetadata], CultureInfo.InvariantCulture);
            }
            var failed = (await ListFailedAsync(container, jobId, cancellationToken).ConfigureAwait(false)).Where(i => !committed.ContainsKey(i)).ToList();
            var failures = new List<ChunkFailure>();
            foreach (var index in failed.Take(LedgerSnapshot.MaxListedFailures))
            {
                if (await ReadAsync(LedgerPaths.Failure(jobId, index), LedgerJsonContext.Default.ChunkFailure, cancellationToken).ConfigureAwait(false) is { } failure)
                {
                    failures.Add(failure);
                }
            }
            return new LedgerSnapshot(committed, failed, failures);
        });

    /// <summary>Which chunks have a failure record, from one listing.</summary>
    public Task<IReadOnlyList<int>> ReadFailedAsync(string jobId, CancellationToken cancellationToken = default) =>
        GuardAsync(async () => await ListFailedAsync(await ContainerAsync(cancellationToken).ConfigureAwait(false), jobId, cancellationToken).ConfigureAwait(false));

    private static async Task<IReadOnlyList<int>> ListFailedAsync(BlobContainerClient container, string jobId, CancellationToken cancellationToken)
    {
        var failed = new List<int>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, LedgerPaths.Failures(jobId), cancellationToken).ConfigureAwait(false))
        {
            failed.Add(LedgerPaths.IndexOf(blob.Name));
        }
        failed.Sort();
        return failed;
    }

    /// <summary>What the job's last run handed its next hop, or null.</summary>
    public Task<RunHandOver?> ReadHandOverAsync(string jobId, CancellationToken cancellationToken = default) =>
        ReadAsync(LedgerPaths.HandOver(jobId), LedgerJsonContext.Default.RunHandOver, cancellationToken);

    /// <summary>Records what a run hands its next hop.</summary>
    public Task WriteHandOverAsync(string jobId, RunHandOver handOver, CancellationToken cancellationToken = default) =>
        WriteAsync(LedgerPaths.HandOver(jobId), handOver, LedgerJsonContext.Default.RunHandOver, cancellationToken);

    /// <summary>The first failure records by chunk index: blob names sort by index, so one listing page holds them.</summary>
    public Task<IReadOnlyList<ChunkFailure>> ReadFailuresAsync(string jobId, int max, CancellationToken cancellationToken = default) =>
        GuardAsync<IReadOnlyList<ChunkFailure>>(async () =>
        {
            var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
            var names = new List<string>();
            await foreach (var page in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, LedgerPaths.Failures(jobId), cancellationToken)
                .AsPages(pageSizeHint: max).ConfigureAwait(false))
            {
                names.AddRange(page.Values.Select(b => b.Name).Take(max - names.Count));
                if (names.Count >= max)
                {
                    break;
                }
            }
            var failures = await Task.WhenAll(names.Select(n => ReadAsync(n, LedgerJsonContext.Default.ChunkFailure, cancellationToken))).ConfigureAwait(false);
            return [.. failures.OfType<ChunkFailure>().OrderBy(f => f.Chunk)];
        });

    /// <inheritdoc/>
    public Task DeleteFailuresAsync(string jobId, IEnumerable<int> chunks, CancellationToken cancellationToken = default) =>
        GuardAsync(async () =>
        {
            var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
            await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (chunk, ct) =>
                await container.GetBlobClient(LedgerPaths.Failure(jobId, chunk)).DeleteIfExistsAsync(cancellationToken: ct).ConfigureAwait(false))
                .ConfigureAwait(false);
            return true;
        });

    /// <summary>Appends one line (one append block, atomic) to the run's progress log, creating the log on first use.</summary>
    public Task AppendProgressAsync(string jobId, string runId, ProgressLine line, CancellationToken cancellationToken = default) =>
        GuardAsync(async () =>
        {
            var log = (await ContainerAsync(cancellationToken).ConfigureAwait(false))
                .GetAppendBlobClient(LedgerPaths.Progress(jobId, runId, line.First / LedgerPaths.ProgressShardChunks));
            var bytes = JsonSerializer.SerializeToUtf8Bytes(line, LedgerJsonContext.Default.ProgressLine);
            Array.Resize(ref bytes, bytes.Length + 1);
            bytes[^1] = (byte)'\n';
            try
            {
                await AppendAsync(log, bytes, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                await log.CreateIfNotExistsAsync(new AppendBlobCreateOptions { HttpHeaders = NdjsonHeaders }, cancellationToken).ConfigureAwait(false);
                await AppendAsync(log, bytes, cancellationToken).ConfigureAwait(false);
            }
            return true;
        });

    /// <summary>Reads the run's logs (at most one per 100,000 chunks) side by side; a log not written yet has no lines.</summary>
    public Task<IReadOnlyList<ProgressLine>> ReadProgressAsync(string jobId, string runId, int chunkCount, CancellationToken cancellationToken = default) =>
        GuardAsync<IReadOnlyList<ProgressLine>>(async () =>
        {
            var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
            var logs = await Task.WhenAll(Enumerable.Range(0, LedgerPaths.ProgressShards(chunkCount)).Select(async shard =>
            {
                try
                {
                    return (await container.GetBlobClient(LedgerPaths.Progress(jobId, runId, shard)).DownloadContentAsync(cancellationToken)
                        .ConfigureAwait(false)).Value.Content.ToMemory();
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    return ReadOnlyMemory<byte>.Empty;
                }
            })).ConfigureAwait(false);
            return [.. logs.SelectMany(ProgressLines.Parse)];
        });

    /// <summary>Lists the job's folder and deletes what it holds (16 at a time), the manifest last: until it is gone, the
    /// job exists and a repeated purge goes on.</summary>
    public Task<int> PurgeAsync(string jobId, CancellationToken cancellationToken = default) =>
        GuardAsync(async () =>
        {
            var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
            if (await GetManifestAsync(jobId, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                // First out of the listing of jobs: a purge cut short leaves a job that GET still finds, not a listed ghost.
                await container.GetBlobClient(LedgerPaths.IndexEntry(jobId, stored.CreatedAt)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            var (manifest, lease) = (LedgerPaths.Manifest(jobId), LedgerPaths.DispatchMarker(jobId));
            var names = new List<string>();
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, LedgerPaths.Job(jobId), cancellationToken).ConfigureAwait(false))
            {
                if (blob.Name != manifest && blob.Name != lease)
                {
                    names.Add(blob.Name);
                }
            }
            var deleted = 0;
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (name, ct) =>
            {
                if ((await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: ct).ConfigureAwait(false)).Value)
                {
                    Interlocked.Increment(ref deleted);
                }
            }).ConfigureAwait(false);
            // The manifest, then the lease (a purge holds it while it works): a run waiting for it finds the job gone.
            foreach (var last in new[] { manifest, lease })
            {
                deleted += (await container.GetBlobClient(last).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value ? 1 : 0;
            }
            return deleted;
        });

    /// <summary>The job's fan-in result, or null while there is none.</summary>
    public Task<JobResult?> ReadResultAsync(string jobId, CancellationToken cancellationToken = default) =>
        ReadAsync(LedgerPaths.Result(jobId), LedgerJsonContext.Default.JobResult, cancellationToken);

    /// <summary>Writes (or, after a resume, replaces) the job's fan-in result, then its index entry's summary.</summary>
    public async Task WriteResultAsync(JobResult result, CancellationToken cancellationToken = default)
    {
        await WriteAsync(LedgerPaths.Result(result.JobId), result, LedgerJsonContext.Default.JobResult, cancellationToken).ConfigureAwait(false);
        await WriteIndexAsync(JobIndexEntry.Of(result), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the job's result (of an earlier run that did not succeed), so its status shows live progress.</summary>
    public async Task DeleteResultAsync(string jobId, CancellationToken cancellationToken = default)
    {
        await GuardAsync(async () => (await (await ContainerAsync(cancellationToken).ConfigureAwait(false))
            .GetBlobClient(LedgerPaths.Result(jobId)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value).ConfigureAwait(false);
        if (await GetManifestAsync(jobId, cancellationToken).ConfigureAwait(false) is { } manifest)
        {
            await WriteIndexAsync(JobIndexEntry.Of(manifest), cancellationToken).ConfigureAwait(false); // active again
        }
    }

    /// <inheritdoc/>
    public Task<JobIndexPage> ListJobsAsync(int top, string? continuationToken, CancellationToken cancellationToken = default) =>
        GuardAsync(async () =>
        {
            var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
            await foreach (var page in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, LedgerPaths.Index, cancellationToken)
                .AsPages(continuationToken, top).ConfigureAwait(false))
            {
                var entries = page.Values.Select(b => JobIndexEntry.FromMetadata(b.Metadata)).OfType<JobIndexEntry>().ToList();
                return new JobIndexPage(entries, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
            }
            return new JobIndexPage([], null);
        });

    // The job's entry in the index, with its summary in the metadata (an empty blob, replaced whole).
    private Task WriteIndexAsync(JobIndexEntry entry, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            var options = new BlobUploadOptions { Metadata = entry.ToMetadata() };
            await UploadAsync(LedgerPaths.IndexEntry(entry.JobId, entry.CreatedAt), BinaryData.Empty, options, cancellationToken).ConfigureAwait(false);
            return true;
        });

    /// <summary>Records until when every dispatcher of the job holds back (job-wide back-pressure).</summary>
    public Task WritePauseAsync(string jobId, JobPause pause, CancellationToken cancellationToken = default) =>
        WriteAsync(LedgerPaths.Pause(jobId), pause, LedgerJsonContext.Default.JobPause, cancellationToken);

    /// <inheritdoc/>
    public Task<JobNotice?> ReadNoticeAsync(string jobId, CancellationToken cancellationToken = default) =>
        ReadAsync(LedgerPaths.Notice(jobId), LedgerJsonContext.Default.JobNotice, cancellationToken);

    /// <inheritdoc/>
    public Task WriteCancelAsync(string jobId, JobCancel cancel, CancellationToken cancellationToken = default) =>
        WriteAsync(LedgerPaths.Cancel(jobId), cancel, LedgerJsonContext.Default.JobCancel, cancellationToken);

    /// <inheritdoc/>
    public Task<JobCancel?> ReadCancelAsync(string jobId, CancellationToken cancellationToken = default) =>
        ReadAsync(LedgerPaths.Cancel(jobId), LedgerJsonContext.Default.JobCancel, cancellationToken);

    /// <inheritdoc/>
    public Task DeleteCancelAsync(string jobId, CancellationToken cancellationToken = default) =>
        GuardAsync(async () => (await (await ContainerAsync(cancellationToken).ConfigureAwait(false))
            .GetBlobClient(LedgerPaths.Cancel(jobId)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value);

    /// <summary>The job's recorded pause, if any.</summary>
    public Task<JobPause?> ReadPauseAsync(string jobId, CancellationToken cancellationToken = default) =>
        ReadAsync(LedgerPaths.Pause(jobId), LedgerJsonContext.Default.JobPause, cancellationToken);

    /// <summary>Replaces the dispatch marker with If-Match on the ETag it was read with (If-None-Match: * when
    /// there was none), so that of two runs deciding on the same marker only one writes.</summary>
    public Task<DispatchMarker?> TryUpdateDispatchMarkerAsync(
        string jobId, Func<DispatchMarker?, DispatchMarker?> decide, CancellationToken cancellationToken = default) =>
        TryUpdateAsync(LedgerPaths.DispatchMarker(jobId), LedgerJsonContext.Default.DispatchMarker, decide, cancellationToken);

    /// <summary>Replaces the job's result as <see cref="TryUpdateDispatchMarkerAsync"/> replaces the marker (then its index
    /// entry's summary): a result written meanwhile is decided on again, never overwritten unseen.</summary>
    public async Task<JobResult?> TryUpdateResultAsync(string jobId, Func<JobResult?, JobResult?> decide, CancellationToken cancellationToken = default)
    {
        var written = await TryUpdateAsync(LedgerPaths.Result(jobId), LedgerJsonContext.Default.JobResult, decide, cancellationToken).ConfigureAwait(false);
        if (written is not null)
        {
            await WriteIndexAsync(JobIndexEntry.Of(written), cancellationToken).ConfigureAwait(false);
        }
        return written;
    }

    /// <summary>Replaces the job's notice record as <see cref="TryUpdateDispatchMarkerAsync"/> replaces the marker.</summary>
    public Task<JobNotice?> TryUpdateNoticeAsync(string jobId, Func<JobNotice?, JobNotice?> decide, CancellationToken cancellationToken = default) =>
        TryUpdateAsync(LedgerPaths.Notice(jobId), LedgerJsonContext.Default.JobNotice, decide, cancellationToken);

    /// <summary>Replaces the watchdog's record of the job's resumes as <see cref="TryUpdateDispatchMarkerAsync"/> replaces the marker.</summary>
    public Task<WatchdogResumes?> TryUpdateWatchdogResumesAsync(string jobId, Func<WatchdogResumes?, WatchdogResumes?> decide, CancellationToken cancellationToken = default) =>
        TryUpdateAsync(LedgerPaths.WatchdogResumes(jobId), LedgerJsonContext.Default.WatchdogResumes, decide, cancellationToken);

    // Read, decide, write with If-Match on the ETag read (If-None-Match: * when there was none); when another writer got in
    // between, decide again on what it wrote. Null when decide declined, or the blob stayed contended.
    private Task<T?> TryUpdateAsync<T>(string name, JsonTypeInfo<T> typeInfo, Func<T?, T?> decide, CancellationToken cancellationToken) where T : class =>
        GuardAsync(async () =>
        {
            var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(name);
            for (var attempt = 0; attempt < UpdateAttempts; attempt++)
            {
                T? current = null;
                var conditions = IfNew;
                try
                {
                    var stored = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
                    current = JsonSerializer.Deserialize(stored.Content.ToMemory().Span, typeInfo);
                    conditions = new BlobRequestConditions { IfMatch = stored.Details.ETag };
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                }
                if (decide(current) is not { } next)
                {
                    return null;
                }
                try
                {
                    var content = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(next, typeInfo));
                    await UploadAsync(blob.Name, content, new BlobUploadOptions { Conditions = conditions, HttpHeaders = Json }, cancellationToken)
                        .ConfigureAwait(false);
                    return next;
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
                {
                    // Another writer got in between (or removed the blob): decide again on what stands now.
                }
            }
            return null;
        });

    /// <inheritdoc/>
    public Task<T?> ReadRangeTallyAsync<T>(string jobId, int first, int count, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        where T : class =>
        ReadAsync(LedgerPaths.RangeTally(jobId, first, count), typeInfo, cancellationToken);

    /// <inheritdoc/>
    public Task WriteRangeTallyAsync<T>(string jobId, int first, int count, T tally, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        where T : class =>
        WriteAsync(LedgerPaths.RangeTally(jobId, first, count), tally, typeInfo, cancellationToken);

    /// <summary>The latest dispatch run of the job, or null.</summary>
    public Task<DispatchMarker?> ReadDispatchMarkerAsync(string jobId, CancellationToken cancellationToken = default) =>
        ReadAsync(LedgerPaths.DispatchMarker(jobId), LedgerJsonContext.Default.DispatchMarker, cancellationToken);

    private static async Task AppendAsync(AppendBlobClient log, byte[] bytes, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        await log.AppendBlockAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private Task<T?> ReadAsync<T>(string name, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) where T : class =>
        GuardAsync(async () =>
        {
            try
            {
                var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(name);
                var content = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
                return JsonSerializer.Deserialize(content.ToMemory().Span, typeInfo);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
        });

    private Task WriteAsync<T>(string name, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            var content = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
            await UploadAsync(name, content, new BlobUploadOptions { HttpHeaders = Json }, cancellationToken).ConfigureAwait(false);
            return true;
        });

    // Uploads only if the blob does not exist; false when it did.
    private async Task<bool> TryUploadNewAsync(string name, BinaryData content, IDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        try
        {
            var options = new BlobUploadOptions { Conditions = IfNew, HttpHeaders = Json, Metadata = metadata };
            await UploadAsync(name, content, options, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    // A container deleted while the app runs (an operator's clean-up, a fresh emulator) is created again.
    private async Task UploadAsync(string name, BinaryData content, BlobUploadOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(name);
            await blob.UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == "ContainerNotFound")
        {
            _created = null;
            var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(name);
            await blob.UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
        }
    }

    // The container is created on first use; a failed attempt is forgotten so the next call tries again.
    private async Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken)
    {
        var created = _created ??= _container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        try
        {
            await created.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (created.IsFaulted)
        {
            _created = null;
            throw;
        }
        return _container;
    }

    private static async Task<T> GuardAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RequestFailedException || StorageUnavailableException.IsTransient(ex))
        {
            // Every storage failure is a 503 to the caller, never a 500: transient ones heal by retrying,
            // the others (a wrong key, a missing permission) need an operator, and say so in the log.
            throw new StorageUnavailableException($"Blob Storage failed: {FirstLine(ex.Message)}", ex);
        }
    }

    // The SDK's messages go on with the request's headers and the service's XML: one line is enough here.
    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private static async Task GuardAsync(Func<Task<bool>> operation) => await GuardAsync<bool>(operation).ConfigureAwait(false);
}
