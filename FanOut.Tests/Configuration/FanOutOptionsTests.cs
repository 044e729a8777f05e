using FanOut.Core.Configuration;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FanOut.Tests.Configuration;

public sealed class FanOutOptionsTests
{
    [Theory]
    [InlineData("FanOut:SelfBaseUrl", "", "SelfBaseUrl")]
    [InlineData("FanOut:SelfBaseUrl", "ftp://example", "SelfBaseUrl")]
    [InlineData("FanOut:Storage:ConnectionString", "", "ConnectionString")]
    [InlineData("FanOut:Storage:Container", "Bad_Name", "Container")]
    [InlineData("FanOut:Dispatch:MaxConcurrency", "0", "MaxConcurrency")]
    [InlineData("FanOut:Dispatch:HopDeadlineSeconds", "230", "HopDeadlineSeconds")]
    [InlineData("FanOut:Dispatch:AttemptTimeoutSeconds", "200", "below HopDeadlineSeconds")]
    [InlineData("FanOut:Limits:MaxRequestBytes", "10", "MaxRequestBytes")]
    [InlineData("FanOut:SigningKey", "", "FanOut:SigningKey is required")]
    [InlineData("FanOut:SigningKey", "too-short", "at least 32 characters")]
    [InlineData("FanOut:PreviousSigningKey", "too-short", "PreviousSigningKey must be at least 32")]
    [InlineData("FanOut:Dispatch:FanoutWidth", "1", "FanoutWidth")]
    [InlineData("FanOut:Watchdog:Schedule", "*/5 * * * *", "FanOut:Watchdog:Schedule ('*/5 * * * *') must be a six-field NCRONTAB expression")]
    [InlineData("FanOut:Watchdog:Schedule", "", "Schedule")]
    [InlineData("FanOut:Watchdog:MaxResumes", "-1", "MaxResumes")]
    public void Options_BadSetting_StopsTheAppWithAMessageNamingIt(string key, string value, string named)
    {
        using var services = TestServices.Build(new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<FanOutOptions>>().Value);

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Options_Watchdog_DefaultsToEveryMinuteAndThreeResumes()
    {
        using var services = TestServices.Build();

        var watchdog = services.GetRequiredService<IOptions<FanOutOptions>>().Value.Watchdog;

        Assert.Equal(("0 */1 * * * *", 3), (watchdog.Schedule, watchdog.MaxResumes));
    }

    [Fact]
    public void Options_StorageFallsBackToAzureWebJobsStorage()
    {
        using var services = TestServices.Build(new Dictionary<string, string?>
        {
            ["FanOut:Storage:ConnectionString"] = null,
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        });

        Assert.Equal("UseDevelopmentStorage=true", services.GetRequiredService<IOptions<FanOutOptions>>().Value.Storage.ConnectionString);
    }

    [Fact]
    public void Options_WithoutASigningKeyInLocalDevelopment_Start()
    {
        using var services = TestServices.Build(new Dictionary<string, string?> { ["FanOut:SigningKey"] = "", ["FanOut:LocalDevelopment"] = "true" });

        Assert.True(services.GetRequiredService<IOptions<FanOutOptions>>().Value.LocalDevelopment);
    }
}
