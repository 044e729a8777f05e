using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace FanOut.Functions;

/// <summary>Stamps every HTTP answer with the id of the invocation that made it (<c>X-FanOut-Invocation-Id</c>):
/// the id the Functions host and Application Insights log that invocation under, so that a caller holding an
/// answer can find its logs. Registered in Program.cs, it runs in the worker's middleware pipeline.</summary>
internal sealed class InvocationIdHeader : IFunctionsWorkerMiddleware
{
    public const string Name = "X-FanOut-Invocation-Id";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        await next(context);
        // A middleware that answered on its own may have stamped it already.
        if (context.GetHttpResponseData() is { } response && !response.Headers.Contains(Name))
        {
            response.Headers.Add(Name, context.InvocationId);
        }
    }
}
