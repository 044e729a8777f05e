using System.Net;
using FanOut.Core.Processing;
using FanOut.Samples.Enrich;
using FanOut.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FanOut.Tests.Samples;

/// <summary>The enrich sample's client as AddEnrich registers it: where it asks, and what each answer becomes.</summary>
public sealed class EnrichClientTests
{
    [Fact]
    public async Task GetItem_AsksBelowTheConfiguredBaseUrl_AndAnswersTheItem()
    {
        Uri? asked = null;
        using var services = Services("http://127.0.0.1:9/api", request =>
        {
            asked = request.RequestUri;
            return Answer(HttpStatusCode.OK, """{"title":"x"}""");
        });

        var item = await services.GetRequiredService<EnrichClient>().GetItemAsync("a/b 1", CancellationToken.None);

        Assert.Equal("http://127.0.0.1:9/api/items/a%2Fb%201", asked!.AbsoluteUri);
        Assert.Equal("""{"title":"x"}""", item!.ToJsonString());
    }

    [Fact]
    public async Task GetItem_404_IsNoItem()
    {
        using var services = Services("http://127.0.0.1:9", _ => Answer(HttpStatusCode.NotFound));

        Assert.Null(await services.GetRequiredService<EnrichClient>().GetItemAsync("7", CancellationToken.None));
    }

    [Theory]
    [InlineData("7", 7)]
    [InlineData(null, null)]
    public async Task GetItem_429_ThrowsThrottledWithTheDownstreamsRetryAfter(string? retryAfter, int? seconds)
    {
        using var services = Services("http://127.0.0.1:9", _ =>
        {
            var response = Answer(HttpStatusCode.TooManyRequests);
            if (retryAfter is not null)
            {
                response.Headers.Add("Retry-After", retryAfter);
            }
            return response;
        });

        var thrown = await Assert.ThrowsAsync<DownstreamThrottledException>(() => services.GetRequiredService<EnrichClient>().GetItemAsync("7", CancellationToken.None));

        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null, thrown.RetryAfter);
    }

    [Fact]
    public async Task GetItem_OtherFailure_FailsTheAttempt()
    {
        using var services = Services("http://127.0.0.1:9", _ => Answer(HttpStatusCode.InternalServerError));

        await Assert.ThrowsAsync<HttpRequestException>(() => services.GetRequiredService<EnrichClient>().GetItemAsync("7", CancellationToken.None));
    }

    [Fact]
    public void AddEnrich_WithoutABaseUrl_StopsTheAppNamingTheSetting()
    {
        using var services = TestServices.Build(fanOut: fanOut => fanOut.AddEnrich(new ConfigurationBuilder().Build()));

        var thrown = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<EnrichOptions>>().Value);

        Assert.Contains("Enrich:BaseUrl", thrown.Message);
    }

    // AddEnrich's registration, the client's primary handler replaced by a script.
    private static ServiceProvider Services(string baseUrl, Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Enrich:BaseUrl"] = baseUrl }).Build();
        return TestServices.Build(
            configure: s => s.AddHttpClient<EnrichClient>().ConfigurePrimaryHttpMessageHandler(() => new StubHandler((_, request, _) => Task.FromResult(answer(request)))),
            fanOut: fanOut => fanOut.AddEnrich(configuration));
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, string? json = null) =>
        new(status) { Content = json is null ? null : new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
}
