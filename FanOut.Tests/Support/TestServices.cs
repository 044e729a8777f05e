using FanOut.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FanOut.Tests.Support;

/// <summary>The real AddFanOut wiring, from in-memory settings, for tests that run Core without a host.</summary>
internal static class TestServices
{
    public static ServiceProvider Build(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null)
    {
        // Port 9 (discard) is closed here: a test that reached the network would fail, not pass by luck.
        var values = new Dictionary<string, string?>
        {
            ["FanOut:SelfBaseUrl"] = "http://127.0.0.1:9",
            ["FanOut:SigningKey"] = TestKeys.Signing,
            ["FanOut:Storage:ConnectionString"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddFanOut(configuration);
        configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }
}
