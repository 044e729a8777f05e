using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Http;
using FanOut.Core.Ledger;
using FanOut.Core.Processing;
using FanOut.Core.Requests;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>Handles <c>process_chunk</c>: runs the chunk's processor over its items and answers the
/// chunk's partial result.</summary>
public sealed class ChunkWorker(ChunkProcessors processors, JobLedger ledger, IOptions<FanOutOptions> options)
{
    /// <summary>Response header saying whether this delivery committed the chunk (<c>created</c>) or found
    /// it committed already (<c>duplicate</c>, and the answer is the committed result).</summary>
    public const string CommitHeader = "X-FanOut-Commit";

    /// <summary>Processes the chunk in <paramref name="body"/> and, when it belongs to a job, commits its result.
    /// Takes no cancellation: a chunk finishes and commits what it started even if its caller went away.</summary>
    public async Task<BatchReply> ProcessAsync(JsonElement body)
    {
        var errors = new FieldErrors();
        var request = JsonRequest.Read(body, FanOutJsonContext.Default.ProcessChunkRequest, errors, rawFields: ProcessChunkRequest.RawFields)
            ?.WithRawFieldsOf(body);
        if (request is null)
        {
            return BatchReply.Problem(Problems.Validation(errors.Summary(), errors.ToDictionary()));
        }

        var maxDepth = options.Value.Dispatch.MaxDepth;
        if (request.Depth < 0 || request.Depth > maxDepth)
        {
            return BatchReply.Problem(Problems.LoopDetected(request.Depth, maxDepth));
        }
        if (request.JobId is { } jobId && !JobIds.IsValid(jobId))
        {
            errors.Add("jobId", "Must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.");
        }
        if (request.Chunk < 0)
        {
            errors.Add("chunk", "Must not be negative.");
        }
        var processorName = request.Processor ?? FanOutDefaults.Processor;
        var processor = StartFanoutValidator.ProcessorNamed(processorName, processors, errors);
        processor?.ValidateOptions(request.Options, errors);
        if (request.Items.ValueKind != JsonValueKind.Array)
        {
            errors.Add("items", "Required: a JSON array of the chunk's items.");
        }
        if (!errors.IsEmpty)
        {
            return BatchReply.Problem(Problems.Validation(errors.Summary(), errors.ToDictionary()));
        }

        var accumulator = processor!.Begin(request.Options);
        var count = InlineRecords.AddAll(request.Items, accumulator);
        var result = new ChunkResult
        {
            JobId = request.JobId,
            Chunk = request.Chunk,
            Processor = processorName,
            Items = count,
            Result = accumulator.Complete(),
        };
        if (request.JobId is null)
        {
            return BatchReply.Json(200, result, FanOutJsonContext.Default.ChunkResult); // a standalone chunk, as the seed had it
        }
        var commit = await ledger.CommitChunkAsync(result).ConfigureAwait(false);
        return BatchReply.Json(200, commit.Result, FanOutJsonContext.Default.ChunkResult) with
        {
            Headers = new Dictionary<string, string> { [CommitHeader] = commit.IsDuplicate ? "duplicate" : "created" },
        };
    }
}
