using FanOut.Core.Readiness;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace FanOut.Functions;

/// <summary>Configuration checked before work: while the storage check fails (<see cref="StorageReadiness"/>), every
/// HTTP request is answered 503 problem+json naming the storage setting, and no function runs. The first requests of
/// a fresh instance wait for the check that <see cref="StorageReadinessCheck"/> started with the host.</summary>
internal sealed class StorageReadinessGate(StorageReadiness readiness, FunctionHttp? http = null) : IFunctionsWorkerMiddleware
{
    private readonly FunctionHttp _http = http ?? FunctionHttp.Worker;

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (!readiness.IsReady
            && await readiness.CheckAsync(context.CancellationToken) is { } refusal
            && await _http.RequestAsync(context) is { } request)
        {
            _http.Answer(context, await refusal.ToResponseAsync(request));
            return;
        }
        await next(context);
    }
}
