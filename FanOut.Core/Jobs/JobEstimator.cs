using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Sources;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary><c>estimate</c>: runs a sample of a planned job's chunks for real and projects the run from it. Each sampled
/// chunk is sent as a standalone <c>process_chunk</c> (no job id: <see cref="Chunks.ChunkWorker"/> processes it and answers
/// its result, committing nothing and writing no output part), with its source range or its items taken from the request,
/// through the same signed self-call client as a run's chunks, but outside any job (no pause is read or written). Its
/// round trip is timed here, as a dispatcher's lane would see it. Nothing is written to the ledger.</summary>
internal sealed class JobEstimator(ISelfCaller caller, IOptions<FanOutOptions> options)
{
    /// <summary>Storage operations of a run that do not depend on its size, counted from the code: the input, the
    /// manifest, the index entry, the lease taken, renewed and let go, the result and the index's summary (writes); the
    /// manifest, lease and result read by the hand-off and the run (reads); the committed chunks listed once (list).</summary>
    public const int JobWrites = 8;

    /// <summary>See <see cref="JobWrites"/>.</summary>
    public const int JobReads = 6;

    /// <summary>See <see cref="JobWrites"/>.</summary>
    public const int JobLists = 1;

    /// <summary>Per dispatcher of the tree: its plan or its chunks' offsets and lines (2 reads); its progress lines, at
    /// least the first and the last, and its range's tally (3 writes).</summary>
    public const int DispatcherReads = 2;

    /// <summary>See <see cref="DispatcherReads"/>.</summary>
    public const int DispatcherWrites = 3;

    /// <summary>The errors of failed sample chunks an answer lists at most.</summary>
    public const int ErrorsListed = 3;

    /// <summary>The plan with its projection: <paramref name="sampleSize"/> chunks (fewer when the job has fewer) run
    /// <c>min(sample, concurrency)</c> at a time.</summary>
    /// <exception cref="OperationCanceledException">The sample did not end within the hop deadline, or the caller went away.</exception>
    public async Task<JobEstimate> EstimateAsync(StartFanoutCommand command, PlannedJob planned, JobPlan plan, int sampleSize, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var sample = Sample(command.JobId, planned.Chunks, Math.Min(sampleSize, planned.Chunks));
        var messageOf = Messages(command, planned);
        var seconds = new double[sample.Count];
        var records = new long[sample.Count];
        var errors = new string?[sample.Count];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(settings.Dispatch.HopDeadlineSeconds));
        using var slots = new SemaphoreSlim(Math.Max(1, Math.Min(plan.Concurrency, sample.Count)));
        await Task.WhenAll(sample.Select(async (chunk, i) =>
        {
            await slots.WaitAsync(deadline.Token).ConfigureAwait(false);
            try
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(messageOf(chunk), FanOutJsonContext.Default.ProcessChunkRequest);
                var started = Stopwatch.GetTimestamp();
                var end = await caller.PostBatchAsync(body, $"estimate/{command.JobId}/{chunk}", deadline.Token).ConfigureAwait(false);
                seconds[i] = Stopwatch.GetElapsedTime(started).TotalSeconds;
                records[i] = end.Read(FanOutJsonContext.Default.ChunkResult, out errors[i])?.Items ?? 0;
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);
        return Project(command, planned, plan, sample, seconds, records, errors, settings);
    }

    /// <summary>The projection from a sample's measurements (the arithmetic the README documents).</summary>
    internal static JobEstimate Project(
        StartFanoutCommand command, PlannedJob planned, JobPlan plan, IReadOnlyList<int> sample, double[] seconds, long[] records, string?[] errors,
        FanOutOptions settings)
    {
        var estimate = settings.Estimate;
        var prices = estimate.Prices;
        var sorted = seconds.Order().ToArray();
        var (min, median, max) = sorted.Length == 0 ? (0d, 0d, 0d)
            : (sorted[0], sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2, sorted[^1]);
        var levels = plan.TreeLevels.Count - 1; // the dispatch levels above the chunks
        var concurrency = Math.Max(1, plan.Concurrency);
        var waves = (planned.Chunks + concurrency - 1) / concurrency;
        var projected = planned.Chunks == 0 ? 0 : Round3(waves * median + levels * min);

        var platform = settings.Platform;
        var inFlight = Math.Min(concurrency, planned.Chunks) + levels;
        var instances = planned.Chunks == 0 ? 0 : (int)Math.Clamp((inFlight + platform.PerInstanceConcurrency - 1) / platform.PerInstanceConcurrency, 1, platform.MaximumInstanceCount);
        var gbSeconds = Round3(instances * (estimate.InstanceMemoryMB / 1024.0) * projected);

        var operations = Operations(command, planned, plan);
        var executionTime = Round6((decimal)gbSeconds * prices.PerGbSecond);
        var executions = Round6(plan.Invocations * prices.PerMillionExecutions / 1_000_000m);
        var storage = Round6((operations.Writes * prices.PerTenThousandWrites + operations.Reads * prices.PerTenThousandReads
                              + operations.Lists * prices.PerTenThousandLists) / 10_000m);
        var failed = errors.Where(e => e is not null).ToList();
        return new JobEstimate
        {
            Sample = new EstimateSample
            {
                Size = sample.Count, Chunks = sample, Records = records.Sum(), Failed = failed.Count,
                Errors = failed.Count == 0 ? null : [.. failed.Take(ErrorsListed).Select(e => e!)],
                MinSeconds = Round3(min), MedianSeconds = Round3(median), MaxSeconds = Round3(max),
            },
            Seconds = projected,
            Invocations = plan.Invocations,
            Instances = instances,
            InstanceMemoryMB = estimate.InstanceMemoryMB,
            GbSeconds = gbSeconds,
            StorageOperations = operations,
            Cost = new EstimatedCost
            {
                Currency = prices.Currency, ExecutionTime = executionTime, Executions = executions, Storage = storage,
                Total = executionTime + executions + storage, Prices = prices,
            },
            Note = Note(planned.Chunks, sample.Count, failed.Count, concurrency, instances, estimate, min, median, max),
        };
    }

    /// <summary>Storage operations of a run, counted from the code: per chunk its commit, and its output part when its processor
    /// emits records (writes), and the read of its byte range for a blob source (a chunk of inline items carries them in its
    /// call); per count_quotes of a CSV cut by bytes, its range's read; per dispatcher and per run, the constants above.</summary>
    internal static StorageOperations Operations(StartFanoutCommand command, PlannedJob planned, JobPlan plan)
    {
        var chunks = (long)planned.Chunks;
        var dispatchers = plan.TreeLevels.Take(Math.Max(0, plan.TreeLevels.Count - 1)).Sum(level => (long)level);
        var emits = command.Processor.OutputFormat is not null;
        var reads = JobReads + dispatchers * DispatcherReads + (planned.Source is not null ? chunks : 0) + (planned.CountsQuotes ? chunks : 0);
        var writes = JobWrites + dispatchers * DispatcherWrites + chunks * (emits ? 2 : 1);
        return new StorageOperations(reads, writes, JobLists);
    }

    /// <summary>The sampled chunks: <paramref name="size"/> distinct indices below <paramref name="chunks"/>, in order, drawn
    /// with a seed taken from the job id (Floyd's algorithm: as many draws as the sample, whatever the job's size).</summary>
    internal static IReadOnlyList<int> Sample(string jobId, int chunks, int size)
    {
        var random = new Random(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(jobId)), 0));
        var chosen = new HashSet<int>();
        for (var j = chunks - size; j < chunks; j++)
        {
            var t = random.Next(j + 1);
            chosen.Add(chosen.Contains(t) ? j : t);
        }
        return [.. chosen.Order()];
    }

    // The process_chunk message of a sampled chunk: standalone (no job id, run id or deadline), one level below the request,
    // with its source range, or its items cut from the request as the job would store them (ItemLines).
    private static Func<int, ProcessChunkRequest> Messages(StartFanoutCommand command, PlannedJob planned)
    {
        var options = command.Options.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? (RawJson?)null : RawJson.Of(command.Options);
        ProcessChunkRequest Message(int index) => new()
        {
            Action = BatchActions.ProcessChunk, Chunk = index, Processor = command.Processor.Name, Depth = 1, Options = options,
        };
        if (planned.Source is { } plan)
        {
            return index => Message(index) with { Source = SourcePlanner.ChunkReference(command.Source!, plan, index) };
        }
        if (planned.Chunks == 0)
        {
            return Message;
        }
        var stored = ItemLines.Write(command.Items, command.ChunkSize).ToMemory();
        var offsets = ItemLines.ReadOffsets(stored.Span[..((planned.Chunks + 1) * sizeof(long))]);
        return index => Message(index) with { Items = RawJson.OfLines(stored[(int)offsets[index]..(int)offsets[index + 1]]) };
    }

    private static string Note(int chunks, int size, int failed, int concurrency, int instances, EstimateOptions estimate, double min, double median, double max) =>
        FormattableString.Invariant($"A projection from {size} of {chunks} chunks, each run once, not a promise: their round trips took {Round3(min)} s to {Round3(max)} s ")
        + FormattableString.Invariant($"(median {Round3(median)} s){(failed > 0 ? FormattableString.Invariant($", and {failed} of them failed") : "")}. ")
        + FormattableString.Invariant($"It assumes every chunk takes the median, {concurrency} in flight, {instances} instance(s) of {estimate.InstanceMemoryMB} MB busy throughout, ")
        + "and no retries, pauses, hand-overs or cold starts beyond the sample's. "
        + $"Costs are list prices as of {estimate.Prices.AsOf} in {estimate.Prices.Currency} (FanOut__Estimate__Prices__*, overridable), before free grants.";

    private static double Round3(double value) => Math.Round(value, 3);

    private static decimal Round6(decimal value) => Math.Round(value, 6);
}
