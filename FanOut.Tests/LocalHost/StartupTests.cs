using FanOut.LocalHost.Hosting;
using FanOut.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FanOut.Tests.LocalHost;

public sealed class StartupTests
{
    [Fact]
    public async Task WithoutASigningKey_OutsideLocalDevelopment_TheAppRefusesToStartAndSaysWhy()
    {
        var app = InProcessHost.Build(
            ["--urls", "http://127.0.0.1:0"],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["FanOut:LocalDevelopment"] = "false",
                ["FanOut:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            }));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        await app.DisposeAsync();

        Assert.Contains("FanOut:SigningKey is required", error.Message);
    }
}
