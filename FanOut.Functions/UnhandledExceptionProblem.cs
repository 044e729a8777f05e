using FanOut.Core.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace FanOut.Functions;

/// <summary>No empty 500: an exception that nothing in a function handled is logged with the invocation's id and
/// answered 500 problem+json carrying that id (<c>invocationId</c> and <c>X-FanOut-Invocation-Id</c>), the shape of
/// every other error. An invocation that is not HTTP fails as before, so the host records (and retries) it.</summary>
internal sealed partial class UnhandledExceptionProblem(ILogger<UnhandledExceptionProblem> logger, FunctionHttp? http = null) : IFunctionsWorkerMiddleware
{
    private readonly FunctionHttp _http = http ?? FunctionHttp.Worker;

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex)
        {
            var request = await _http.RequestAsync(context);
            if (request is null)
            {
                throw;
            }
            LogUnhandled(logger, ex, context.FunctionDefinition.Name, context.InvocationId);
            var response = await HostReplies.Unhandled(context.InvocationId).ToResponseAsync(request);
            response.Headers.Add(InvocationIdHeader.Name, context.InvocationId);
            _http.Answer(context, response);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} (invocation {InvocationId}) failed with an exception nothing handled; answered 500 problem+json")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string function, string invocationId);
}
