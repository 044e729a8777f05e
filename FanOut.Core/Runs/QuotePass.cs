using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Contracts;
using FanOut.Core.Diagnostics;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;
using FanOut.Core.Sources;
using Microsoft.Extensions.Logging;

namespace FanOut.Core.Runs;

/// <summary>The first pass of a CSV job cut by bytes: a leaf counts the quote characters of each of its
/// chunks (<c>count_quotes</c>, stateless, so any retry is safe), and answers their parities.</summary>
internal sealed class QuotePass(IJobStore jobStore, SelfCalls calls, JobLevel level, ILogger<QuotePass> logger) : IPass<QuoteTally>
{
    /// <summary>The pass's name in a <c>dispatch</c> call.</summary>
    public const string PassName = "quotes";

    /// <inheritdoc/>
    public string Name => PassName;

    /// <inheritdoc/>
    public JsonTypeInfo<QuoteTally> Wire => RunsJsonContext.Default.QuoteTally;

    /// <inheritdoc/>
    public QuoteTally Missing(ChunkSpan span, IReadOnlyList<ChunkSpan> pending, bool sent) => new() { Parities = [.. Enumerable.Repeat(QuoteParity.Unknown, span.Count)] };

    /// <inheritdoc/>
    /// <remarks>The quote pass keeps its counts per run (<see cref="CsvStartStates"/>): nothing to recall.</remarks>
    public Task<QuoteTally?> RecallAsync(JobManifest manifest, NodeWork work) => Task.FromResult<QuoteTally?>(null);

    /// <inheritdoc/>
    public Task RememberAsync(JobManifest manifest, NodeWork work, QuoteTally tally) => Task.CompletedTask;

    /// <inheritdoc/>
    public QuoteTally Combine(JobManifest manifest, IReadOnlyList<QuoteTally> parts) => new()
    {
        Parities = [.. parts.SelectMany(p => p.Parities)],
        Failures = [.. parts.SelectMany(p => p.Failures).OrderBy(f => f.Chunk).Take(LedgerSnapshot.MaxListedFailures)],
    };

    /// <inheritdoc/>
    public async Task<QuoteTally> LeafAsync(JobManifest manifest, NodeWork work, HopDeadline deadline)
    {
        var plan = await jobStore.ReadSourcePlanAsync(manifest).ConfigureAwait(false);
        var chunks = work.PendingChunks().ToList();
        var ends = await calls.SendAsync(manifest.JobId, chunks.Count, (i, _) => new SelfCall(
                JsonSerializer.SerializeToUtf8Bytes(new CountQuotesRequest
                {
                    JobId = manifest.JobId, Chunk = chunks[i], Depth = work.Depth + 1, Source = SourcePlanner.ChunkReference(manifest.Source!, plan, chunks[i]),
                }, FanOutJsonContext.Default.CountQuotesRequest),
                $"{manifest.JobId}/{chunks[i]}"),
            level.SlotsOf(manifest, work.Slots), chunks.Count, deadline.Token).ConfigureAwait(false);

        var parities = Enumerable.Repeat(QuoteParity.Unknown, work.Span.Count).ToArray();
        var failures = new List<ChunkFailure>();
        for (var i = 0; i < chunks.Count; i++)
        {
            if (ends[i] is not { } end)
            {
                continue;
            }
            var count = end.Read(FanOutJsonContext.Default.QuoteCount, out var error);
            if (count is null)
            {
                Log.ChunkFailed(logger, manifest.JobId, chunks[i], end.Attempts, error!);
                failures.Add(new ChunkFailure(chunks[i], error!, end.Attempts));
            }
            parities[chunks[i] - work.Span.First] = count is null ? QuoteParity.Failed
                : count.Quotes % 2 == 1 ? QuoteParity.Odd : QuoteParity.Even;
        }
        return new QuoteTally { Parities = parities, Failures = [.. failures.Take(LedgerSnapshot.MaxListedFailures)] };
    }
}
