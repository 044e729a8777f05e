using FanOut.Core.Readiness;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace FanOut.Functions;

/// <summary>Configuration checked before work. While a secret setting is an unresolved Key Vault reference
/// (<see cref="SecretReadiness"/>), every HTTP request is answered 503 problem+json naming the setting and the role the
/// app's identity needs, and no function runs, the watchdog's timer included (it would send calls signed with the
/// reference's text). While the storage check fails (<see cref="StorageReadiness"/>), every HTTP request is answered 503
/// problem+json naming the storage setting, and no HTTP function runs. The first requests of a fresh instance wait for
/// the storage check that <see cref="ReadinessCheck"/> started with the host.</summary>
internal sealed class ReadinessGate(SecretReadiness secrets, StorageReadiness storage, FunctionHttp? http = null) : IFunctionsWorkerMiddleware
{
    private readonly FunctionHttp _http = http ?? FunctionHttp.Worker;

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (secrets.Refusal is { } unresolved)
        {
            if (await _http.RequestAsync(context) is { } secretsRequest)
            {
                _http.Answer(context, await unresolved.ToResponseAsync(secretsRequest));
            }
            else
            {
                secrets.Skipped(context.FunctionDefinition.Name);
            }
            return;
        }
        if (!storage.IsReady
            && await storage.CheckAsync(context.CancellationToken) is { } refusal
            && await _http.RequestAsync(context) is { } request)
        {
            _http.Answer(context, await refusal.ToResponseAsync(request));
            return;
        }
        await next(context);
    }
}
