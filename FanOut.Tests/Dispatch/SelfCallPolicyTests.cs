using System.Net;
using System.Net.Http.Headers;
using FanOut.Core.Dispatch;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FanOut.Tests.Dispatch;

/// <summary>The real AddFanOut registration of the self-call client, its Polly policies included,
/// against a stub primary handler.</summary>
public sealed class SelfCallPolicyTests
{
    private static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["FanOut:Dispatch:MaxAttempts"] = "4",
        ["FanOut:Dispatch:BaseRetryDelayMilliseconds"] = "1",
        ["FanOut:Dispatch:AttemptTimeoutSeconds"] = "1",
        ["FanOut:Dispatch:BreakerMinimumThroughput"] = "1000",
    };

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task PostBatch_TransientAnswerThenOk_IsRetriedUntilOk(HttpStatusCode transient)
    {
        var stub = new StubHandler(call => new HttpResponseMessage(call < 3 ? transient : HttpStatusCode.OK));
        var sut = CreateSut(stub, FastRetries);

        var result = await sut.PostBatchAsync("{}"u8.ToArray(), "job/0");

        Assert.Equal(200, result.StatusCode);
        Assert.Equal(3, stub.Calls);
        Assert.Equal(3, result.Attempts);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge)]
    [InlineData(HttpStatusCode.LoopDetected)]
    public async Task PostBatch_FinalAnswer_IsNotRetried(HttpStatusCode final)
    {
        var stub = new StubHandler(_ => new HttpResponseMessage(final));
        var sut = CreateSut(stub, FastRetries);

        var result = await sut.PostBatchAsync("{}"u8.ToArray(), "job/0");

        Assert.Equal((int)final, result.StatusCode);
        Assert.Equal(1, stub.Calls);
    }

    [Fact]
    public async Task PostBatch_AlwaysUnavailable_StopsAtMaxAttemptsWithTheLastAnswer()
    {
        var stub = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        var sut = CreateSut(stub, FastRetries);

        var result = await sut.PostBatchAsync("{}"u8.ToArray(), "job/0");

        Assert.Equal(503, result.StatusCode);
        Assert.Equal(4, stub.Calls);
        Assert.Equal(4, result.Attempts);
    }

    [Fact]
    public async Task PostBatch_ConnectionErrors_AreRetriedThenReportedAsError()
    {
        var stub = new StubHandler((_, _, _) => throw new HttpRequestException("connection reset"));
        var sut = CreateSut(stub, FastRetries);

        var result = await sut.PostBatchAsync("{}"u8.ToArray(), "job/0");

        Assert.Equal(0, result.StatusCode);
        Assert.Contains("connection reset", result.Error);
        Assert.Equal(4, stub.Calls);
    }

    [Fact]
    public async Task PostBatch_AttemptOutlastsItsTimeout_IsCutAndRetried()
    {
        var stub = new StubHandler(async (call, _, ct) =>
        {
            if (call == 1)
            {
                await Task.Delay(Timeout.Infinite, ct); // hangs until the per-attempt timeout cancels it
            }
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        var sut = CreateSut(stub, FastRetries);

        var result = await sut.PostBatchAsync("{}"u8.ToArray(), "job/0");

        Assert.Equal(200, result.StatusCode);
        Assert.Equal(2, stub.Calls);
    }

    [Fact]
    public async Task PostBatch_RetryAfter_IsTheDelayBeforeTheNextAttempt()
    {
        var logs = new ListLoggerProvider();
        var stub = new StubHandler(call => call == 1
            ? new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(1)) } }
            : new HttpResponseMessage(HttpStatusCode.OK));
        var sut = CreateSut(stub, FastRetries, logs);

        var result = await sut.PostBatchAsync("{}"u8.ToArray(), "job/7");

        Assert.Equal(200, result.StatusCode);
        var retry = Assert.Single(logs.Entries, e => e.EventId.Id == 1001);
        Assert.Equal(1000.0, retry["DelayMs"]);
        Assert.Equal("job/7", retry["Operation"]);
        Assert.Equal("429", retry["Outcome"]);
    }

    [Fact]
    public async Task PostBatch_RepeatedFailures_OpenTheCircuitSoCallsStopReachingTheServer()
    {
        var stub = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        var sut = CreateSut(stub, new Dictionary<string, string?>
        {
            ["FanOut:Dispatch:MaxAttempts"] = "1",
            ["FanOut:Dispatch:BreakerMinimumThroughput"] = "4",
            ["FanOut:Dispatch:BreakerBreakSeconds"] = "60",
        });

        var results = new List<SelfCallResult>();
        for (var i = 0; i < 10; i++)
        {
            results.Add(await sut.PostBatchAsync("{}"u8.ToArray(), $"job/{i}"));
        }

        Assert.Equal(4, stub.Calls);
        Assert.All(results.Skip(4), r => Assert.Contains("BrokenCircuitException", r.Error));
    }

    [Fact]
    public async Task PostBatch_SendsTheConfiguredKeyToTheConfiguredUrlOnly()
    {
        HttpRequestMessage? seen = null;
        var stub = new StubHandler((_, request, _) =>
        {
            seen = request;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        var sut = CreateSut(stub, new Dictionary<string, string?>
        {
            ["FanOut:SelfBaseUrl"] = "http://127.0.0.1:7071",
            ["FanOut:FunctionKey"] = "k3y",
        });

        await sut.PostBatchAsync("{}"u8.ToArray(), "job/0");

        Assert.Equal("http://127.0.0.1:7071/api/batch", seen!.RequestUri!.ToString());
        Assert.Equal("k3y", seen.Headers.GetValues("x-functions-key").Single());
    }

    private static SelfClient CreateSut(StubHandler stub, Dictionary<string, string?> settings, ListLoggerProvider? logs = null)
    {
        var services = TestServices.Build(settings, s =>
        {
            s.AddHttpClient<SelfClient>().ConfigurePrimaryHttpMessageHandler(() => stub);
            if (logs is not null)
            {
                s.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
            }
        });
        return services.GetRequiredService<SelfClient>();
    }
}
