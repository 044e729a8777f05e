using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Outcomes;
using FanOut.Core.Planning;
using FanOut.Core.Requests;
using FanOut.Core.Sources;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Chunks;

/// <summary>Handles <c>count_quotes</c>: the quote characters of an exact byte range of a CSV blob (no
/// alignment), answered as a <see cref="QuoteCount"/>. Stateless, so any retry is safe.</summary>
internal sealed class QuoteCounter(SourceBlobs sources, IOptions<FanOutOptions> options)
{
    /// <summary>Counts the quotes of the range in <paramref name="body"/>.</summary>
    public async Task<Outcome> CountAsync(JsonElement body)
    {
        var errors = new FieldErrors();
        var request = JsonRequest.Read(body, FanOutJsonContext.Default.CountQuotesRequest, errors);
        if (request is null)
        {
            return Refusal.Invalid(errors);
        }
        if (DispatchDepth.Beyond(request.Depth, levelsBelow: 0, options.Value.Dispatch) is { } tooDeep)
        {
            return Refusal.LoopDetected(tooDeep, options.Value.Dispatch.MaxDepth);
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
            return Refusal.Invalid(errors);
        }

        long quotes = 0;
        try
        {
            await using var stream = await sources.OpenReadAsync(source, source.Start, CancellationToken.None, source.End).ConfigureAwait(false);
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
            return Refusal.SourceUnreadable(ex.Status, source);
        }
        return Answered.Of(new QuoteCount { Chunk = request.Chunk, Quotes = quotes }, FanOutJsonContext.Default.QuoteCount);
    }
}
