using FanOut.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FanOut.Samples.Enrich;

/// <summary>Registers the <c>enrich</c> sample: <c>builder.Services.AddFanOut(builder.Configuration).AddEnrich(builder.Configuration);</c></summary>
public static class EnrichFanOutBuilderExtensions
{
    /// <summary>Adds the <c>enrich</c> processor and its downstream client, whose base URL is <c>Enrich:BaseUrl</c>
    /// of <paramref name="configuration"/> (checked when the app starts).</summary>
    /// <param name="fanOut">What <c>AddFanOut</c> returned.</param>
    /// <param name="configuration">The app's configuration.</param>
    public static FanOutBuilder AddEnrich(this FanOutBuilder fanOut, IConfiguration configuration)
    {
        fanOut.Services.AddOptions<EnrichOptions>()
            .Bind(configuration.GetSection(EnrichOptions.SectionName))
            .Validate(o => o.BaseUrl is { IsAbsoluteUri: true, Scheme: "https" or "http" }, "Enrich:BaseUrl must be an absolute http(s) URL.")
            .ValidateOnStart();
        fanOut.Services.AddHttpClient<EnrichClient>((provider, client) =>
            {
                var baseUrl = provider.GetRequiredService<IOptions<EnrichOptions>>().Value.BaseUrl!.AbsoluteUri;
                client.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"); // keeps a path such as /api
                client.Timeout = TimeSpan.FromSeconds(10);
            })
            // A processor is a singleton and keeps the client it was given: connections are renewed by the handler
            // (so DNS changes are seen), not by the factory.
            .UseSocketsHttpHandler((handler, _) => handler.PooledConnectionLifetime = TimeSpan.FromMinutes(2))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return fanOut.AddProcessor<EnrichProcessor>();
    }
}
