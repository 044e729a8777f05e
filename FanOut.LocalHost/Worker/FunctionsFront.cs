using System.Diagnostics;
using FanOut.Core.Http;
using FanOut.LocalHost.Cluster;
using FanOut.LocalHost.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Logging;

namespace FanOut.LocalHost.Worker;

/// <summary>The HTTP front of the local host, the one entry to the cluster: each request for a function the workers
/// reported is checked (function key), given a slot on an instance (<see cref="SlotRouter"/>: 429 problem+json with
/// Retry-After when none frees up in time) and sent to that instance's worker as an InvocationRequest; its answer is
/// written back. Until an instance is ready: 503 problem+json with Retry-After. A request in flight on an instance that
/// dies is aborted (its caller's connection drops), as on Azure. Nothing the host answers itself is an empty 5xx. In
/// OpenTelemetry mode each invocation is the host's request span (<see cref="HostTelemetry"/>).</summary>
internal sealed partial class FunctionsFront(
    InstancePool pool, SlotRouter router, ClusterOptions cluster, LocalHostSettings settings, ILogger<FunctionsFront> logger)
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
        if (pool.Functions is not { } functions)
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
        // The slot is taken before the body is read, as the Functions host's throttle comes before the invocation.
        using var slot = await router.AcquireAsync(http.RequestAborted);
        if (slot is null)
        {
            await ReplyWriter.WriteAsync(http.Response, ClusterReplies.Busy(cluster.QueueCapacity(settings.HostJson, pool.Instances.Count), cluster.QueueTimeout));
            return;
        }
        await InvokeAsync(http, slot.Instance, function, await HttpInvocation.ToInvocationAsync(http, function, routeValues));
    }

    private async Task InvokeAsync(HttpContext http, Instance instance, WorkerFunction function, InvocationRequest invocation)
    {
        // The invocation's request span, in OpenTelemetry mode (null otherwise): its one server span.
        using var request = HostTelemetry.StartRequest(http, function, invocation, instance.Id);
        try
        {
            await RunAsync(http, instance, function, invocation, request);
        }
        catch (Exception ex) when (request is not null)
        {
            HostTelemetry.Failed(request, ex);
            throw;
        }
    }

    private async Task RunAsync(HttpContext http, Instance instance, WorkerFunction function, InvocationRequest invocation, Activity? request)
    {
        using var timeout = settings.HostJson.FunctionTimeout is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        using var cancelled = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, timeout.Token);
        // A caller that goes away, or the function timeout, cancels the invocation in the worker, as the Functions
        // host does (the function sees its FunctionContext.CancellationToken cancelled).
        using var cancel = cancelled.Token.Register(() => instance.Send(new StreamingMessage
        {
            InvocationCancel = new InvocationCancel { InvocationId = invocation.InvocationId },
        }));
        StreamingMessage answer;
        try
        {
            answer = await instance.InvokeAsync(function.Name, invocation, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            LogTimedOut(logger, function.Name, invocation.InvocationId, settings.HostJson.FunctionTimeout!.Value);
            await ReplyWriter.WriteAsync(http.Response, HostReplies.TimedOut(invocation.InvocationId, settings.HostJson.FunctionTimeout!.Value), invocation.InvocationId);
            HostTelemetry.Answered(request, http.Response.StatusCode);
            return;
        }
        catch (WorkerUnavailableException ex)
        {
            // The instance died under the invocation (recycled or crashed): on Azure its caller's connection drops with
            // it, so it does here; nothing answers for the lost invocation.
            LogAborted(logger, function.Name, invocation.InvocationId, instance.Id);
            HostTelemetry.Failed(request, ex);
            http.Abort();
            return;
        }
        var response = answer.InvocationResponse;
        if (response.Result?.Status != StatusResult.Types.Status.Success)
        {
            // The app's middleware answers a function's exceptions itself; what reaches here failed around it (binding).
            LogFailed(logger, function.Name, invocation.InvocationId, response.Result?.Exception?.Message ?? "no result");
            await ReplyWriter.WriteAsync(http.Response, HostReplies.Unhandled(invocation.InvocationId), invocation.InvocationId);
            HostTelemetry.Answered(request, http.Response.StatusCode);
            return;
        }
        await HttpInvocation.WriteAnswerAsync(http, response);
        HostTelemetry.Answered(request, http.Response.StatusCode, response.TraceContextAttributes);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {Function} (invocation {InvocationId}) was lost with instance {Instance}: its caller's connection is dropped.")]
    private static partial void LogAborted(ILogger logger, string function, string invocationId, int instance);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed in the host (answered 500 problem+json, id {Id})")]
    private static partial void LogHostFailed(ILogger logger, Exception exception, string method, string path, string id);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} (invocation {InvocationId}) ran past host.json's functionTimeout ({Timeout}): cancelled, answered 500 problem+json.")]
    private static partial void LogTimedOut(ILogger logger, string function, string invocationId, TimeSpan timeout);
}
