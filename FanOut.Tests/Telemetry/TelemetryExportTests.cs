using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FanOut.Tests.Telemetry;

/// <summary>AddFanOut registers OpenTelemetry's providers only when an exporter is configured: nowhere otherwise.</summary>
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
    }
}
