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
        var values = new Dictionary<string, string?> { ["FanOut:SelfBaseUrl"] = "http://127.0.0.1:9" };
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
