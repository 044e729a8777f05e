using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FanOut.LocalHost.Adapters;

/// <summary>One invocation's <see cref="FunctionContext"/>: the request's DI scope as InstanceServices,
/// route values as binding data, and the client's disconnect as the cancellation token (as the
/// Functions host signals a cancelled invocation).</summary>
internal sealed class LocalFunctionContext(HttpContext http, FunctionDefinition definition) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => definition.Id;

    public override TraceContext TraceContext { get; } = new LocalTraceContext(Activity.Current);

    public override BindingContext BindingContext => field ??= new LocalBindingContext(
        http.Request.RouteValues.ToDictionary(v => v.Key, v => v.Value, StringComparer.OrdinalIgnoreCase));

    public override RetryContext RetryContext => null!; // HTTP triggers have no retry context.

    public override IServiceProvider InstanceServices { get; set; } = http.RequestServices;

    public override FunctionDefinition FunctionDefinition => definition;

    public override IDictionary<object, object> Items
    {
        get => field ??= new Dictionary<object, object>();
        set;
    }

    public override IInvocationFeatures Features => field ??= new LocalInvocationFeatures();

    public override CancellationToken CancellationToken => http.RequestAborted;

    private sealed class LocalTraceContext(Activity? activity) : TraceContext
    {
        public override string TraceParent => activity?.Id ?? string.Empty;

        public override string TraceState => activity?.TraceStateString ?? string.Empty;
    }

    private sealed class LocalBindingContext(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData => data;
    }
}
