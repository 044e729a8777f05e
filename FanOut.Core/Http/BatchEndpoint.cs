using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Jobs;
using FanOut.Core.Requests;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Http;

/// <summary>POST /api/batch: reads the body and hands it to the handler of its <c>action</c>.
/// The function classes of every host call this and only map the <see cref="BatchReply"/> to HTTP.</summary>
public sealed class BatchEndpoint(FanOutCoordinator coordinator, ChunkWorker worker, IOptions<FanOutOptions> options)
{
    /// <summary>Handles one POST.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="cancellationToken">Signals that the caller went away.</param>
    public async Task<BatchReply> PostAsync(Stream body, CancellationToken cancellationToken = default)
    {
        var (document, problem) = await RequestBody.ParseAsync(body, options.Value.Limits.MaxRequestBytes, cancellationToken)
            .ConfigureAwait(false);
        if (problem is not null)
        {
            return BatchReply.Problem(problem);
        }
        using (document)
        {
            var root = document!.RootElement;
            var action = root.TryGetProperty("action", out var value) ? value : default;
            return action.ValueKind switch
            {
                JsonValueKind.Undefined or JsonValueKind.Null => worker.Process(root),
                JsonValueKind.String when action.ValueEquals(BatchActions.ProcessChunk) => worker.Process(root),
                JsonValueKind.String when action.ValueEquals(BatchActions.StartFanout) =>
                    await coordinator.StartAsync(root, cancellationToken).ConfigureAwait(false),
                _ => UnknownAction(action),
            };
        }
    }

    private static BatchReply UnknownAction(JsonElement action)
    {
        var valid = string.Join(", ", BatchActions.All);
        var detail = action.ValueKind == JsonValueKind.String
            ? $"Unknown action '{action.GetString()}'. Valid actions: {valid}."
            : $"The action must be a string. Valid actions: {valid}.";
        var errors = new Dictionary<string, string[]> { ["action"] = [$"Must be one of: {valid}."] };
        return BatchReply.Problem(Problems.Validation(detail, errors));
    }
}
