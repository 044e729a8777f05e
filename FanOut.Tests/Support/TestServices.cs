using FanOut.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FanOut.Tests.Support;

/// <summary>The real AddFanOut wiring, from in-memory settings, for tests that run Core without a host.</summary>
internal static class TestServices
{
    public static ServiceProvider Build(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null,
        Action<FanOutBuilder>? fanOut = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(settings)).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        var builder = services.AddFanOut(configuration);
        fanOut?.Invoke(builder);
        configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    /// <summary>Settings that pass FanOut's start-up validation, with <paramref name="overrides"/> applied.</summary>
    public static Dictionary<string, string?> Settings(IDictionary<string, string?>? overrides = null)
    {
        // Port 9 (discard) is closed here: a test that reached the network would fail, not pass by luck.
        var values = new Dictionary<string, string?>
        {
            ["FanOut:SelfBaseUrl"] = "http://127.0.0.1:9",
            ["FanOut:SigningKey"] = TestKeys.Signing,
            ["FanOut:Storage:ConnectionString"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        return values;
    }
}
