using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FanOut.Core.Dispatch;
using FanOut.Core.Planning;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FanOut.Tests.Dispatch;

/// <summary>Job-wide back-pressure: two app instances (two service providers with the real AddFanOut wiring,
/// sharing Azurite as their ledger) dispatch chunks of one job to a stub host on a fake clock.</summary>
[Collection(StorageCollection.Name)]
public sealed class BackPressureTests(AzuriteFixture storage)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A429WithRetryAfter_SeenByOneDispatcher_HoldsBackEveryDispatcherOfTheJob_OnOtherInstancesToo()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var start = clock.GetUtcNow();
        var jobId = $"t-{Guid.NewGuid():N}";
        var sent = new ConcurrentQueue<(string Instance, int Chunk, TimeSpan At)>();
        var throttled = 0;
        StubHandler Host(string instance) => new((_, request, _) =>
        {
            var chunk = JsonDocument.Parse(request.Content!.ReadAsStringAsync().Result).RootElement.GetProperty("chunk").GetInt32();
            sent.Enqueue((instance, chunk, clock.GetUtcNow() - start));
            var answer = chunk == 3 && Interlocked.Exchange(ref throttled, 1) == 0
                ? new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new RetryConditionHeaderValue(RetryAfter) } }
                : new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent($$$"""{"chunk":{{{chunk}}},"processor":"count","items":1,"result":{}}""", Encoding.UTF8, "application/json"),
                };
            return Task.FromResult(answer);
        });
        // Polly's own retry delay is 0 here, so any wait observed is the job's pause, on the fake clock.
        var settings = storage.Settings(new()
        {
            ["FanOut:Dispatch:MaxRetryDelaySeconds"] = "0", ["FanOut:Dispatch:BaseRetryDelayMilliseconds"] = "0",
        });
        using var first = Instance(settings, clock, Host("first"));
        using var second = Instance(settings, clock, Host("second"));

        var runFirst = Dispatch(first, jobId, 0);
        await Until(() => sent.Count == 4 && PauseRecorded(jobId));       // chunks 0-3 sent, chunk 3 answered 429
        var runSecond = Dispatch(second, jobId, 10);
        await Task.Delay(300);
        var beforeThePauseEnds = sent.Count;
        clock.Advance(RetryAfter - TimeSpan.FromSeconds(1));
        await Task.Delay(300);
        var aSecondBefore = sent.Count;
        clock.Advance(TimeSpan.FromSeconds(1));
        var outcomes = (await Task.WhenAll(runFirst, runSecond).WaitAsync(TimeSpan.FromSeconds(60))).SelectMany(o => o).ToList();

        Assert.Equal(4, beforeThePauseEnds);
        Assert.Equal(4, aSecondBefore);                                      // neither instance sent anything
        Assert.Equal(20, outcomes.Count(o => o.Succeeded));
        Assert.Equal(21, sent.Count);                                        // 20 chunks and one retry
        var afterThe429 = sent.Skip(4).ToList();
        Assert.All(afterThe429, s => Assert.True(s.At >= RetryAfter, $"{s.Instance} sent chunk {s.Chunk} at {s.At}"));
        Assert.Equal(10, afterThe429.Count(s => s.Instance == "second"));
    }

    [Theory]
    [InlineData(7, true)]                                       // more refusals than attempts: waited out, not spent
    [InlineData(BackPressureHandler.MaxRefusals * 2, false)]   // a host that only refuses: each attempt gives up in the end
    public async Task Refusals_AreWaitedOutWithoutSpendingAttempts_UpToMaxRefusalsPerAttempt(int refusals, bool succeeds)
    {
        var jobId = $"t-{Guid.NewGuid():N}";
        // Retry-After: 0 pauses the job for no time, so the test runs at the speed of the stub.
        var host = new StubHandler(call => call <= refusals
            ? new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero) } }
            : new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"chunk":0,"processor":"count","items":1,"result":{}}""", Encoding.UTF8, "application/json"),
            });
        var settings = storage.Settings(new()
        {
            ["FanOut:Dispatch:MaxAttempts"] = "2", ["FanOut:Dispatch:MaxRetryDelaySeconds"] = "0", ["FanOut:Dispatch:BaseRetryDelayMilliseconds"] = "0",
        });
        using var instance = Instance(settings, new FakeTimeProvider(DateTimeOffset.UtcNow), host);

        var outcome = Assert.Single(await instance.GetRequiredService<ChunkDispatcher>().DispatchAsync(
            jobId, [new ChunkRange(0, 0, 0)], _ => """{"chunk":0}"""u8.ToArray(), lanes: () => 1));

        Assert.Equal(succeeds, outcome.Succeeded);
        Assert.Equal(succeeds ? 1 : 2, outcome.Attempts);
        Assert.Equal(succeeds ? refusals + 1 : 2 * BackPressureHandler.MaxRefusals, host.Calls);
    }

    private static ServiceProvider Instance(Dictionary<string, string?> settings, FakeTimeProvider clock, StubHandler host) =>
        TestServices.Build(settings, s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            s.AddHttpClient<SelfClient>().ConfigurePrimaryHttpMessageHandler(() => host);
        });

    private static Task<IReadOnlyList<ChunkOutcome>> Dispatch(ServiceProvider instance, string jobId, int first) =>
        instance.GetRequiredService<ChunkDispatcher>().DispatchAsync(jobId,
            [.. Enumerable.Range(first, 10).Select(i => new ChunkRange(i, 0, 0))],
            chunk => Encoding.UTF8.GetBytes($$"""{"chunk":{{chunk.Index}}}"""), lanes: () => 1);

    private bool PauseRecorded(string jobId) =>
        new JobBlobs(storage.ConnectionString).ListAsync($"jobs/{jobId}/pause.json").Result.Count == 1;

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }
        Assert.True(condition());
    }
}
