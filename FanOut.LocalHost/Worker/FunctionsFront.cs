using FanOut.Core.Http;
using FanOut.LocalHost.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Logging;

namespace FanOut.LocalHost.Worker;

/// <summary>The HTTP front of the local host: each request for a function the worker reported is checked
/// (function key, host.json throttles) and sent to the worker as an InvocationRequest; its answer is written
/// back. Until the worker is ready: 503 problem+json with Retry-After. Nothing the host answers itself is an empty 5xx.</summary>
internal sealed partial class FunctionsFront(
    FunctionsWorker worker, LocalHostSettings settings, HttpThrottle throttle, ILogger<FunctionsFront> logger)
{
    private readonly FunctionKey _key = new(settings.FunctionKey);

    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await ServeAsync(http);
        }
        catch (Exception ex) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            // No empty 500 from the host either: whatever failed in it is logged and answered as problem+json. A body
            // over the host's limit is the client's fault, and the app's own 413.
            if (ex is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            {
                http.Response.Clear();
                await ReplyWriter.WriteAsync(http.Response, HostReplies.TooLarge(WorkerHost.MaxRequestBodyBytes));
                return;
            }
            var id = Guid.NewGuid().ToString();
            LogHostFailed(logger, ex, http.Request.Method, http.Request.Path, id);
            http.Response.Clear();
            await ReplyWriter.WriteAsync(http.Response, HostReplies.Unhandled(id), id);
        }
    }

    private async Task ServeAsync(HttpContext http)
    {
        if (worker.Functions is not { } functions)
        {
            await ReplyWriter.WriteAsync(http.Response, HostReplies.WorkerUnavailable());
            return;
        }
        if (Find(functions, http.Request) is not var (function, routeValues))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (!_key.Admits(http.Request, function.RequiresKey))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        using var place = throttle.TryEnter();
        if (place is null)
        {
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return;
        }
        await place.WaitTurnAsync(http.RequestAborted);
        await InvokeAsync(http, function, await HttpInvocation.ToInvocationAsync(http, function, routeValues));
    }

    private async Task InvokeAsync(HttpContext http, WorkerFunction function, InvocationRequest invocation)
    {
        // The worker that serves this request: a replacement that starts meanwhile gets the next ones.
        var channel = worker.Channel;
        using var timeout = settings.HostJson.FunctionTimeout is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        using var cancelled = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, timeout.Token);
        // A caller that goes away, or the function timeout, cancels the invocation in the worker, as the Functions
        // host does (the function sees its FunctionContext.CancellationToken cancelled).
        using var cancel = cancelled.Token.Register(() => channel.Send(new StreamingMessage
        {
            InvocationCancel = new InvocationCancel { InvocationId = invocation.InvocationId },
        }));
        StreamingMessage answer;
        try
        {
            answer = await channel.RequestAsync(new StreamingMessage { InvocationRequest = invocation }, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            LogTimedOut(logger, function.Name, invocation.InvocationId, settings.HostJson.FunctionTimeout!.Value);
            await ReplyWriter.WriteAsync(http.Response, HostReplies.TimedOut(invocation.InvocationId, settings.HostJson.FunctionTimeout!.Value), invocation.InvocationId);
            return;
        }
        catch (WorkerUnavailableException)
        {
            await ReplyWriter.WriteAsync(http.Response, HostReplies.WorkerUnavailable());
            return;
        }
        var response = answer.InvocationResponse;
        if (response.Result?.Status != StatusResult.Types.Status.Success)
        {
            // The app's middleware answers a function's exceptions itself; what reaches here failed around it (binding).
            LogFailed(logger, function.Name, invocation.InvocationId, response.Result?.Exception?.Message ?? "no result");
            await ReplyWriter.WriteAsync(http.Response, HostReplies.Unhandled(invocation.InvocationId), invocation.InvocationId);
            return;
        }
        await HttpInvocation.WriteAnswerAsync(http, response);
    }

    private static (WorkerFunction, Microsoft.AspNetCore.Routing.RouteValueDictionary)? Find(IReadOnlyList<WorkerFunction> functions, HttpRequest request)
    {
        foreach (var function in functions)
        {
            if (function.Matches(request, out var values))
            {
                return (function, values);
            }
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} (invocation {InvocationId}) failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string function, string invocationId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed in the host (answered 500 problem+json, id {Id})")]
    private static partial void LogHostFailed(ILogger logger, Exception exception, string method, string path, string id);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} (invocation {InvocationId}) ran past host.json's functionTimeout ({Timeout}): cancelled, answered 500 problem+json.")]
    private static partial void LogTimedOut(ILogger logger, string function, string invocationId, TimeSpan timeout);
}
