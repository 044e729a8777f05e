using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Http;
using FanOut.Core.Requests;
using FanOut.Core.Sources;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>Handles <c>count_quotes</c>: the quote characters of an exact byte range of a CSV blob (no
/// alignment), answered as a chunk result whose items are the count. Stateless, so any retry is safe.</summary>
public sealed class QuoteCounter(SourceBlobs sources, IOptions<FanOutOptions> options)
{
    private static readonly JsonElement NoResult = JsonDocument.Parse("{}").RootElement;

    /// <summary>Counts the quotes of the range in <paramref name="body"/>.</summary>
    public async Task<BatchReply> CountAsync(JsonElement body)
    {
        var errors = new FieldErrors();
        var request = JsonRequest.Read(body, FanOutJsonContext.Default.ProcessChunkRequest, errors, rawFields: ProcessChunkRequest.RawFields);
        if (request is null)
        {
            return BatchReply.Problem(Problems.Validation(errors.Summary(), errors.ToDictionary()));
        }
        var maxDepth = options.Value.Dispatch.MaxDepth;
        if (request.Depth < 1 || request.Depth > maxDepth)
        {
            return BatchReply.Problem(Problems.LoopDetected(request.Depth, maxDepth));
        }
        var source = request.Source;
        if (source is null)
        {
            errors.Add("source", "Required: the blob and byte range to count.");
        }
        else
        {
            sources.ValidateChunkReference(source, errors);
        }
        if (source is null || !errors.IsEmpty)
        {
            return BatchReply.Problem(Problems.Validation(errors.Summary(), errors.ToDictionary()));
        }

        long quotes = 0;
        try
        {
            await using var stream = await sources.OpenReadAsync(source, source.Start, CancellationToken.None).ConfigureAwait(false);
            var buffer = new byte[64 * 1024];
            for (var left = source.End - source.Start; left > 0;)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left))).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                quotes += buffer.AsSpan(0, read).Count((byte)'"');
                left -= read;
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return BatchReply.Problem(Problems.SourceUnreadable(ex.Status, source));
        }
        var result = new ChunkResult { JobId = request.JobId, Chunk = request.Chunk, Processor = BatchActions.CountQuotes, Items = quotes, Result = NoResult };
        return BatchReply.Json(200, result, FanOutJsonContext.Default.ChunkResult);
    }
}
