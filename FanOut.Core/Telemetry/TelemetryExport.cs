using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FanOut.Core.Telemetry;

/// <summary>Where FanOut's spans, metrics and logs go: to Azure Monitor when <see cref="AzureMonitorSetting"/> is set,
/// to an OTLP endpoint when <see cref="OtlpSetting"/> is set (both when both are), and nowhere otherwise: then no
/// provider is registered, nothing listens to <see cref="FanOutTelemetry"/>, and no span is even created. The logs go
/// too because the Functions app declares that its worker exports its own (UseFunctionsWorkerDefaults), and the host
/// in OpenTelemetry mode then stops relaying them.</summary>
internal static class TelemetryExport
{
    /// <summary>Application Insights' connection string, as the Functions platform names it.</summary>
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>How the platform says Application Insights takes only Entra ID (a token) for ingestion:
    /// <c>Authorization=AAD</c>, and <c>ClientId=…</c> for a user-assigned identity; the Functions host reads it for
    /// its own telemetry, and so does FanOut's exporter.</summary>
    public const string AzureMonitorAuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The OTLP endpoint, as the OpenTelemetry specification names it; the exporter reads the other
    /// <c>OTEL_EXPORTER_OTLP_*</c> settings (protocol, headers) itself.</summary>
    public const string OtlpSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The Functions worker's activity source. The worker starts each invocation's activity from the trace
    /// context the host sends (the caller's <c>traceparent</c>) only when this source is listened to; without it,
    /// a self-call's spans would start a new trace in every invocation.</summary>
    public const string FunctionsWorkerSource = "Microsoft.Azure.Functions.Worker";

    /// <summary>HttpClient's own activity source (.NET 9 and later). Once a span is current, HttpClient starts a
    /// client activity for every request and sends <em>its</em> id as the traceparent: unexported, that activity
    /// would be a hole between a dispatcher's span and the invocation it called. Exported, each attempt of a
    /// self-call (a retry too) and each storage request is a client span of the trace.</summary>
    public const string HttpClientSource = "System.Net.Http";

    /// <summary>True when an exporter is configured.</summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[AzureMonitorSetting]) || !string.IsNullOrWhiteSpace(configuration[OtlpSetting]);

    /// <summary>The credential Azure Monitor's exporter sends with: the app's identity when
    /// <see cref="AzureMonitorAuthenticationSetting"/> says <c>Authorization=AAD</c> (a user-assigned one when it
    /// names a <c>ClientId</c>), else none (the connection string's instrumentation key alone).</summary>
    internal static TokenCredential? AzureMonitorCredential(IConfiguration configuration)
    {
        var parts = (configuration[AzureMonitorAuthenticationSetting] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2)).Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!string.Equals(parts.GetValueOrDefault("Authorization"), "AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return parts.GetValueOrDefault("ClientId") is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
    }

    /// <summary>Registers the tracer, meter and logger providers with the configured exporters, if any.</summary>
    /// <returns>The OpenTelemetry builder, for the host's own additions; null when nothing is exported.</returns>
    public static IOpenTelemetryBuilder? AddFanOutTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (!IsConfigured(configuration))
        {
            return null;
        }
        var azureMonitor = configuration[AzureMonitorSetting];
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpSetting]);
        var credential = AzureMonitorCredential(configuration);
        services.AddHostedService<TelemetryStart>();
        // OTEL_SERVICE_NAME, when set, names the service; else the Function App's name, as the platform gives it.
        var serviceName = configuration["OTEL_SERVICE_NAME"] ?? configuration["WEBSITE_SITE_NAME"] ?? FanOutTelemetry.Name;
        return services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(FanOutTelemetry.Name, FunctionsWorkerSource, HttpClientSource);
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
                if (!string.IsNullOrWhiteSpace(azureMonitor))
                {
                    tracing.AddAzureMonitorTraceExporter(o => (o.ConnectionString, o.Credential) = (azureMonitor, credential));
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(FanOutTelemetry.Name);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
                if (!string.IsNullOrWhiteSpace(azureMonitor))
                {
                    metrics.AddAzureMonitorMetricExporter(o => (o.ConnectionString, o.Credential) = (azureMonitor, credential));
                }
            })
            .WithLogging(logging =>
            {
                if (otlp)
                {
                    logging.AddOtlpExporter();
                }
                if (!string.IsNullOrWhiteSpace(azureMonitor))
                {
                    logging.AddAzureMonitorLogExporter(o => (o.ConnectionString, o.Credential) = (azureMonitor, credential));
                }
            });
    }
}
