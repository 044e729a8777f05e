using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FanOut.LocalHost.Worker;

/// <summary>The host's request span, as the Functions host makes it in OpenTelemetry mode (host.json
/// <c>"telemetryMode": "OpenTelemetry"</c>): one server span per HTTP invocation, a child of the caller's span (its
/// <c>traceparent</c>), with the invocation's <c>faas.*</c> attributes and its answer's status. Its context is the
/// invocation's <c>trace_context</c>, so the worker's invocation span (internal, as UseFunctionsWorkerDefaults makes it)
/// and the app's spans are its children. It is the invocation's one request: nothing in the worker is a server span.
/// Exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is an app setting (the host reads the app's settings, as
/// the Functions host does); in the default mode, or with no endpoint, nothing listens, no span is made, and the
/// caller's <c>traceparent</c> goes to the worker as it came (<see cref="HttpInvocation"/>).</summary>
internal static class HostTelemetry
{
    /// <summary>The name of the activity source of the host's spans: the scope its spans are exported under.</summary>
    public const string SourceName = "FanOut.LocalHost";

    /// <summary>The OTLP endpoint setting, as the OpenTelemetry specification names it.</summary>
    public const string OtlpSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Registers the exporter of the host's spans when host.json asks for OpenTelemetry and an OTLP endpoint
    /// is set; nothing otherwise.</summary>
    public static void AddHostTelemetry(this WebApplicationBuilder builder, LocalHostSettings settings)
    {
        if (!settings.HostJson.OpenTelemetry || string.IsNullOrWhiteSpace(settings.Setting(OtlpSetting)))
        {
            return;
        }
        // The exporter reads its OTEL_* settings (endpoint, protocol, headers, batch delay, sampler) from the host's
        // configuration: the app's, so the host exports where the worker does.
        builder.Configuration.AddInMemoryCollection(settings.AppSettings
            .Where(setting => setting.Key.StartsWith("OTEL_", StringComparison.Ordinal))
            .Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value)));
        var serviceName = settings.Setting("OTEL_SERVICE_NAME") ?? settings.Setting("WEBSITE_SITE_NAME") ?? SourceName;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing.AddSource(SourceName).AddOtlpExporter());
    }

    /// <summary>Starts the request span of an invocation and makes it the invocation's trace context; null when
    /// nothing listens (the invocation keeps the caller's).</summary>
    public static Activity? StartRequest(HttpContext http, WorkerFunction function, InvocationRequest invocation, int instance)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var request = http.Request;
        // A caller's valid traceparent is the parent. Without one the request starts a trace: ASP.NET Core's own activity
        // for the request, current here and recorded by nobody, is not its parent (its sampled-out flag would drop the
        // request and every span below it).
        var outer = Activity.Current;
        if (!ActivityContext.TryParse(request.Headers.TraceParent.ToString(), request.Headers.TraceState.ToString(), isRemote: true, out var parent))
        {
            Activity.Current = null;
        }
        var activity = Source.StartActivity($"{request.Method} {function.Route}", ActivityKind.Server, parent,
        [
            new("http.request.method", request.Method),
            new("url.scheme", request.Scheme),
            new("url.path", request.Path.Value),
            new("server.address", request.Host.Host),
            new("server.port", request.Host.Port),
            new("http.route", function.Route),
            new("faas.trigger", "http"),
            new("faas.name", function.Name),
            new("faas.invocation_id", invocation.InvocationId),
            new("faas.instance", instance.ToString(CultureInfo.InvariantCulture)),
        ]);
        if (activity is null)
        {
            Activity.Current = outer;
            return null;
        }
        invocation.TraceContext = new RpcTraceContext { TraceParent = activity.Id!, TraceState = activity.TraceStateString ?? "" };
        return activity;
    }

    /// <summary>Ends a request span with its answer's status: a 5xx fails it (its code is the error type), a 4xx does
    /// not (the caller's fault, as HTTP's semantic conventions have it for a server). The tags the worker's invocation
    /// span handed back (<c>trace_context_attributes</c>) go on it, as the Functions host adds them to its request.</summary>
    public static void Answered(Activity? activity, int statusCode, IEnumerable<KeyValuePair<string, string>>? workerTags = null)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("http.response.status_code", statusCode);
        foreach (var (name, value) in workerTags ?? Enumerable.Empty<KeyValuePair<string, string>>())
        {
            activity.SetTag(name, value);
        }
        if (statusCode >= StatusCodes.Status500InternalServerError)
        {
            activity.SetStatus(ActivityStatusCode.Error).SetTag("error.type", statusCode.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Fails a request span that got no answer: the invocation was lost with its instance, or the host failed.</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        activity?.AddException(exception)
            .SetStatus(ActivityStatusCode.Error, exception.Message)
            .SetTag("error.type", exception.GetType().FullName);
    }
}
