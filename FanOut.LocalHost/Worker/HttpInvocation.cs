using System.Diagnostics;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace FanOut.LocalHost.Worker;

/// <summary>Turns an HTTP request into the worker's <c>InvocationRequest</c> and its <c>InvocationResponse</c>
/// back into the HTTP answer, with the fields the worker's HTTP binding (GrpcHttpRequestData) reads.</summary>
internal static class HttpInvocation
{
    /// <summary>The InvocationRequest of <paramref name="http"/> for <paramref name="function"/>; reads the body whole.</summary>
    public static async Task<InvocationRequest> ToInvocationAsync(HttpContext http, WorkerFunction function, RouteValueDictionary routeValues)
    {
        var request = http.Request;
        var rpc = new RpcHttp
        {
            Method = request.Method,
            Url = request.GetEncodedUrl(),
            Body = new TypedData { Bytes = await ReadBodyAsync(request, http.RequestAborted) },
        };
        // Header names lower-cased, repeated values joined with commas, as the Functions host sends them; only the
        // nullable maps, which are what the .NET worker reads.
        foreach (var (name, values) in request.Headers)
        {
            rpc.NullableHeaders[name.ToLowerInvariant()] = new NullableString { Value = values.ToString() };
        }
        foreach (var (name, values) in request.Query)
        {
            rpc.NullableQuery[name] = new NullableString { Value = values.ToString() };
        }
        var invocation = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.Id,
            TraceContext = TraceContextOf(request),
        };
        foreach (var (name, value) in routeValues)
        {
            if (value?.ToString() is { } text)
            {
                rpc.NullableParams[name] = new NullableString { Value = text };
                invocation.TriggerMetadata[name] = new TypedData { String = text };
            }
        }
        invocation.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Http = rpc } });
        return invocation;
    }

    /// <summary>Writes the function's answer (its <c>$return</c> http) to <paramref name="http"/>.</summary>
    public static async Task WriteAnswerAsync(HttpContext http, InvocationResponse answer)
    {
        var rpc = answer.ReturnValue?.Http;
        if (rpc is null)
        {
            http.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        http.Response.StatusCode = int.TryParse(rpc.StatusCode, out var status) ? status : StatusCodes.Status200OK;
        foreach (var (name, value) in rpc.Headers)
        {
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                http.Response.Headers[name] = value;
            }
        }
        var body = rpc.Body switch
        {
            { DataCase: TypedData.DataOneofCase.Bytes } b => b.Bytes.Memory,
            { DataCase: TypedData.DataOneofCase.String } s => System.Text.Encoding.UTF8.GetBytes(s.String),
            _ => ReadOnlyMemory<byte>.Empty,
        };
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }

    // The body as one buffer, wrapped (not copied again) into the message.
    private static async Task<ByteString> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = request.ContentLength is { } length and <= int.MaxValue ? new MemoryStream((int)length) : new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return UnsafeByteOperations.UnsafeWrap(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    // The worker needs a trace context on every invocation: it starts the invocation's activity from it (when its
    // activity source is listened to), so the caller's W3C traceparent and tracestate go on as they came, and the
    // function's spans continue the caller's trace. The Functions host sends its own request activity, a child of the
    // caller's span; so does LocalHost when it exports one (HostTelemetry, in OpenTelemetry mode, replaces this
    // context with its request span's). When it exports none, it hands the caller's on and the chain has no gap.
    // Without one: the host's current activity, or a new trace.
    private static RpcTraceContext TraceContextOf(HttpRequest request)
    {
        var traceParent = request.Headers.TraceParent.ToString();
        var traceState = request.Headers.TraceState.ToString();
        if (ActivityContext.TryParse(traceParent, traceState, out _))
        {
            return new RpcTraceContext { TraceParent = traceParent, TraceState = traceState };
        }
        return new RpcTraceContext
        {
            TraceParent = Activity.Current?.Id ?? NewTraceParent(),
            TraceState = Activity.Current?.TraceStateString ?? "",
        };
    }

    /// <summary>A new W3C traceparent (a new trace), for an invocation that no caller traces (a timer's).</summary>
    internal static string NewTraceParent() =>
        $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00";
}
