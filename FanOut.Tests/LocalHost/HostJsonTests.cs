using FanOut.LocalHost.Worker;

namespace FanOut.Tests.LocalHost;

public sealed class HostJsonTests
{
    [Fact]
    public void Parse_TheRepositorysHostJson_ReadsRoutePrefixThrottlesTimeoutAndTelemetryMode()
    {
        var sut = HostJson.Load(AppContext.BaseDirectory);

        Assert.Equal(new HostJson("api", 200, 2000, TimeSpan.FromMinutes(10), OpenTelemetry: true), sut);
    }

    [Theory]
    [InlineData("""{ "telemetryMode": "openTelemetry" }""", true)]
    [InlineData("""{ "telemetryMode": "ApplicationInsights" }""", false)]
    [InlineData("""{ "version": "2.0" }""", false)]
    public void Parse_TelemetryMode_IsOpenTelemetryInAnyCase(string json, bool openTelemetry)
    {
        var sut = HostJson.Parse(json);

        Assert.Equal(openTelemetry, sut.OpenTelemetry);
    }

    [Theory]
    [InlineData("""{ "version": "2.0" }""", "api", null, null)]
    [InlineData("""{ "extensions": { "http": { "routePrefix": "", "maxConcurrentRequests": -1, "maxOutstandingRequests": 5 } } }""", "", null, 5)]
    [InlineData("""{ "extensions": { "http": { "routePrefix": "v1", }, }, "functionTimeout": "-1" } // comments and trailing commas, as the host allows""", "v1", null, null)]
    public void Parse_DefaultsAndUnbounded_AreTheFunctionsHostsDefaults(string json, string prefix, int? concurrent, int? outstanding)
    {
        var sut = HostJson.Parse(json);

        Assert.Equal(new HostJson(prefix, concurrent, outstanding, null), sut);
    }
}
