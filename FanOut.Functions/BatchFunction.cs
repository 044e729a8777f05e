using FanOut.Core.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FanOut.Functions;

/// <summary>FanOut's HTTP surface: POST /api/batch (every action, on the body's <c>action</c>),
/// GET /api/batch (the jobs, newest first), GET /api/batch/{jobId} (a job's status) and DELETE /api/batch/{jobId} (purge a job).</summary>
public sealed class BatchFunction(BatchEndpoint endpoint)
{
    [Function(nameof(Batch))]
    public async Task<HttpResponseData> Batch(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "batch")] HttpRequestData request,
        FunctionContext context)
    {
        var signature = request.Headers.TryGetValues(BatchEndpoint.SignatureHeader, out var values) ? values.FirstOrDefault() : null;
        var reply = await endpoint.PostAsync(request.Body, signature, context.CancellationToken);
        return await reply.ToResponseAsync(request);
    }

    [Function(nameof(BatchStatus))]
    public async Task<HttpResponseData> BatchStatus(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "batch/{jobId}")] HttpRequestData request,
        string jobId,
        FunctionContext context)
    {
        // A browser asks for text/html: the status page; a program (or no Accept) gets the JSON status.
        var page = request.Headers.TryGetValues("Accept", out var accept) && accept.Any(a => a.Contains("text/html", StringComparison.OrdinalIgnoreCase));
        var reply = page ? await endpoint.GetJobPageAsync(jobId, context.CancellationToken) : await endpoint.GetJobAsync(jobId, context.CancellationToken);
        return await reply.ToResponseAsync(request);
    }

    [Function(nameof(BatchPurge))]
    public async Task<HttpResponseData> BatchPurge(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "batch/{jobId}")] HttpRequestData request,
        string jobId,
        FunctionContext context)
    {
        var reply = await endpoint.DeleteJobAsync(jobId, context.CancellationToken);
        return await reply.ToResponseAsync(request);
    }

    [Function(nameof(BatchList))]
    public async Task<HttpResponseData> BatchList(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "batch")] HttpRequestData request,
        FunctionContext context)
    {
        var query = request.Query;
        var reply = await endpoint.ListJobsAsync(query["status"], query["top"], query["continuationToken"], context.CancellationToken);
        return await reply.ToResponseAsync(request);
    }
}
