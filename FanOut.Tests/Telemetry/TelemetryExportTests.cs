using FanOut.Tests.Support;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FanOut.Tests.Telemetry;

/// <summary>AddFanOut registers OpenTelemetry's providers only when an exporter is configured: nowhere otherwise; and
/// what the app adds with WithTelemetry (the worker's defaults) only then.</summary>
public sealed class TelemetryExportTests
{
    [Theory]
    [InlineData(null, null, false)]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", true)]
    [InlineData("APPLICATIONINSIGHTS_CONNECTION_STRING", "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1/", true)]
    public void AddFanOut_RegistersTheProviders_OnlyWhenAnExporterIsConfigured(string? setting, string? value, bool exported)
    {
        var settings = new Dictionary<string, string?>();
        if (setting is not null)
        {
            settings[setting] = value;
        }

        using var services = TestServices.Build(settings);

        // Asked whether they are registered, not built: a built provider would start exporting to the address above.
        var registered = services.GetRequiredService<IServiceProviderIsService>();
        Assert.Equal(exported, registered.IsService(typeof(TracerProvider)));
        Assert.Equal(exported, registered.IsService(typeof(MeterProvider)));
        Assert.Equal(exported, registered.IsService(typeof(OpenTelemetry.Logs.LoggerProvider)));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("http://127.0.0.1:4318", "True")]
    public void WithTelemetry_TheWorkersDefaults_TellTheHostTheWorkerExports_OnlyWhenItDoes(string? endpoint, string? declared)
    {
        using var services = TestServices.Build(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint },
            fanOut: fanOut => fanOut.WithTelemetry(telemetry => telemetry.UseFunctionsWorkerDefaults()));

        // The capabilities the worker sends the host: with them, the host stops relaying the worker's logs, and the
        // worker's invocation span follows schema 1.37 (an internal child of the host's request).
        var capabilities = services.GetRequiredService<IOptions<WorkerOptions>>().Value.Capabilities.AsReadOnly();
        Assert.Equal(declared, capabilities.GetValueOrDefault("WorkerOpenTelemetryEnabled"));
        Assert.Equal(declared is null ? null : "1.37.0", capabilities.GetValueOrDefault("WorkerOpenTelemetrySchemaVersion"));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("Authorization=AAD", typeof(Azure.Identity.DefaultAzureCredential))]
    [InlineData("authorization=aad; ClientId=11111111-2222-3333-4444-555555555555", typeof(Azure.Identity.ManagedIdentityCredential))]
    public void AzureMonitor_SendsWithTheAppsIdentity_WhenThePlatformSaysAuthorizationAad(string? authentication, Type? expected)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = authentication }).Build();

        Assert.Equal(expected, Core.Telemetry.TelemetryExport.AzureMonitorCredential(configuration)?.GetType());
    }
}
