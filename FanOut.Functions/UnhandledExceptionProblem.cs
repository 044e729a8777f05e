using FanOut.Core.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace FanOut.Functions;

/// <summary>No empty 500: an exception that nothing in a function handled is logged with the invocation's id and
/// answered 500 problem+json carrying that id (<c>invocationId</c> and <c>X-FanOut-Invocation-Id</c>), the shape of
/// every other error. An invocation the host cancelled (its caller went away) is no failure of the app: answered 503
/// <c>cancelled</c> and logged as information. An invocation that is not HTTP fails as before, so the host records (and retries) it.</summary>
internal sealed partial class UnhandledExceptionProblem(ILogger<UnhandledExceptionProblem> logger, FunctionHttp? http = null) : IFunctionsWorkerMiddleware
{
    private readonly FunctionHttp _http = http ?? FunctionHttp.Worker;

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException ex) when (context.CancellationToken.IsCancellationRequested)
        {
            // The host cancelled the invocation (its caller went away, or the host stops): not a failure of the app.
            if (await _http.RequestAsync(context) is not { } request)
            {
                throw;
            }
            LogCancelled(logger, context.FunctionDefinition.Name, context.InvocationId, ex.Message);
            var response = await HostReplies.Cancelled(context.InvocationId).ToResponseAsync(request);
            response.Headers.Add(InvocationIdHeader.Name, context.InvocationId);
            _http.Answer(context, response);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {Function} (invocation {InvocationId}) was cancelled by its host; answered 503 problem+json: {Reason}")]
    private static partial void LogCancelled(ILogger logger, string function, string invocationId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} (invocation {InvocationId}) failed with an exception nothing handled; answered 500 problem+json")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string function, string invocationId);
}
