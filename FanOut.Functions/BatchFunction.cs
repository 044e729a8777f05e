using FanOut.Core.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FanOut.Functions;

/// <summary>POST /api/batch: every action of FanOut, dispatched on the body's <c>action</c>.</summary>
public sealed class BatchFunction(BatchEndpoint endpoint)
{
    [Function(nameof(Batch))]
    public async Task<HttpResponseData> Batch(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "batch")] HttpRequestData request,
        FunctionContext context)
    {
        var reply = await endpoint.PostAsync(request.Body, context.CancellationToken);
        return await reply.ToResponseAsync(request, context.CancellationToken);
    }
}
