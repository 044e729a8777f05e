using System.Net;
using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Notices;
using FanOut.Core.Outcomes;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Polly.Bulkhead;
using Polly.CircuitBreaker;
using Polly.RateLimit;
using Polly.Timeout;

namespace FanOut.Tests.Notices;

/// <summary>The notice sender through the real AddFanOut registration of its client (its Polly policies and signing handler),
/// against a stub primary handler and the in-memory ledger: whatever the connection or a policy throws, the notice ends given up
/// and recorded, and nothing reaches the caller; the self client turns the same exceptions into a failed call's result.</summary>
public sealed class NoticeSenderTests
{
    private const string Key = "notice-key-for-the-tests-0123456789abcdef";
    private const string Url = "https://hooks.example.com/fanout";

    // Every exception a send can end with: the connection's, each of Polly's rejections, a cancellation that is not the caller's,
    // and one no policy knows.
    public static TheoryData<string> Thrown => new()
    {
        nameof(HttpRequestException), nameof(TimeoutRejectedException), nameof(BrokenCircuitException), nameof(IsolatedCircuitException),
        nameof(BulkheadRejectedException), nameof(RateLimitRejectedException), nameof(TaskCanceledException), nameof(OperationCanceledException),
        nameof(IOException), nameof(InvalidOperationException),
    };

    private static Exception Make(string name) => name switch
    {
        nameof(HttpRequestException) => new HttpRequestException("connection refused"),
        nameof(TimeoutRejectedException) => new TimeoutRejectedException("attempt timed out"),
        nameof(BrokenCircuitException) => new BrokenCircuitException("circuit open"),
        nameof(IsolatedCircuitException) => new IsolatedCircuitException("circuit isolated"),
        nameof(BulkheadRejectedException) => new BulkheadRejectedException("bulkhead full"),
        nameof(RateLimitRejectedException) => new RateLimitRejectedException(TimeSpan.FromSeconds(1)),
        nameof(TaskCanceledException) => new TaskCanceledException("a socket's own timeout"),
        nameof(OperationCanceledException) => new OperationCanceledException("not the caller's"),
        nameof(IOException) => new IOException("connection reset"),
        _ => new InvalidOperationException("nobody expected this"),
    };

    [Theory]
    [MemberData(nameof(Thrown))]
    public async Task Send_WhenEveryAttemptThrows_EndsGivenUpAndRecorded_NeverThrows(string exception)
    {
        var stub = new StubHandler((_, _, _) => Task.FromException<HttpResponseMessage>(Make(exception)));
        var (sut, ledger) = CreateSut(stub);

        var outcome = await sut.SendAsync(NotifyBody("job-1"));

        var answer = Assert.IsType<NoticeAnswer>(Assert.IsType<Answered>(outcome).Body);
        Assert.Equal(NoticeState.GivenUp, answer.State);
        var notice = ledger.Blob(LedgerPaths.Notice("job-1"))!;
        var stored = JsonSerializer.Deserialize(notice.Content, LedgerJsonContext.Default.JobNotice)!;
        Assert.Equal(JobStatus.Succeeded, stored.Status);
        Assert.Null(stored.NotifiedAt);
        Assert.Null(stored.ClaimedUntil);
        Assert.StartsWith(exception, stored.Error);
        Assert.InRange(stub.Calls, 1, NoticePolicy.Attempts);
    }

    [Theory]
    [MemberData(nameof(Thrown))]
    public async Task SelfCall_WhenEveryAttemptThrows_AnswersAFailedResult_NeverThrows(string exception)
    {
        if (exception == nameof(InvalidOperationException))
        {
            return; // a programming error, not the transport's: the self client lets it surface
        }
        var stub = new StubHandler((_, _, _) => Task.FromException<HttpResponseMessage>(Make(exception)));
        var services = TestServices.Build(new Dictionary<string, string?>
        {
            ["FanOut:Dispatch:MaxAttempts"] = "2", ["FanOut:Dispatch:BaseRetryDelayMilliseconds"] = "1", ["FanOut:Dispatch:MaxRetryDelaySeconds"] = "0", ["FanOut:Dispatch:BreakerBreakSeconds"] = "1",
        }, s => s.AddHttpClient<SelfClient>().ConfigurePrimaryHttpMessageHandler(() => stub));

        var result = await services.GetRequiredService<SelfClient>().PostBatchAsync("{}"u8.ToArray(), "job/0");

        Assert.Equal(0, result.StatusCode);
        Assert.StartsWith(exception, result.Error);
    }

    [Fact]
    public async Task Send_RedirectAnswer_IsOneFailedAttempt_NotFollowed()
    {
        var stub = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.TemporaryRedirect) { Headers = { Location = new Uri("http://169.254.169.254/") } });
        var (sut, ledger) = CreateSut(stub);

        var answer = (NoticeAnswer)((Answered)await sut.SendAsync(NotifyBody("job-1"))).Body;

        Assert.Equal(NoticeState.GivenUp, answer.State);
        Assert.Contains("307", answer.Error);
        Assert.Equal(1, stub.Calls);
    }

    [Fact]
    public async Task Send_RetriedAttempts_EachCarryTheirOwnTimestamp()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T00:00:00Z"));
        var signatures = new List<string>();
        var stub = new StubHandler((call, request, _) =>
        {
            signatures.Add(request.Headers.GetValues(NoticeSigningHandler.Header).Single());
            clock.Advance(TimeSpan.FromSeconds(3)); // the receiver took its time
            return Task.FromResult(new HttpResponseMessage(call < 3 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK));
        });
        var (sut, _) = CreateSut(stub, clock);

        var answer = (NoticeAnswer)((Answered)await sut.SendAsync(NotifyBody("job-1"))).Body;

        Assert.Equal(NoticeState.Delivered, answer.State);
        Assert.Equal(3, signatures.Count);
        Assert.Equal(3, signatures.Select(s => s.Split(',')[0]).Distinct().Count());
    }

    [Fact]
    public async Task Send_SettledNotice_SendsNothing()
    {
        var stub = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK));
        var (sut, _) = CreateSut(stub);

        var first = (NoticeAnswer)((Answered)await sut.SendAsync(NotifyBody("job-1"))).Body;
        var second = (NoticeAnswer)((Answered)await sut.SendAsync(NotifyBody("job-1"))).Body;

        Assert.Equal(NoticeState.Delivered, first.State);
        Assert.Equal(NoticeState.Delivered, second.State);
        Assert.Equal(1, stub.Calls);
    }

    private static JsonElement NotifyBody(string jobId) => JsonDocument.Parse($$"""{"action":"notify","jobId":"{{jobId}}"}""").RootElement;

    private static (NoticeSender Sut, InMemoryJobLedger Ledger) CreateSut(StubHandler stub, TimeProvider? clock = null)
    {
        var ledger = new InMemoryJobLedger();
        var services = TestServices.Build(new Dictionary<string, string?>
        {
            ["FanOut:Notify:SigningKey"] = Key, ["FanOut:Notify:AllowedHosts"] = "hooks.example.com", ["FanOut:Notify:RetryDelayMilliseconds"] = "1",
        }, s =>
        {
            s.AddHttpClient<NoticeSender>().ConfigurePrimaryHttpMessageHandler(() => stub);
            ledger.ReplaceIn(s);
            if (clock is not null)
            {
                s.Replace(ServiceDescriptor.Singleton(clock));
            }
        });
        var created = DateTimeOffset.Parse("2026-12-07T00:00:00Z");
        ledger.Jobs.CreateAsync(new JobManifest
        {
            JobId = "job-1", Fingerprint = "f", Processor = "count", InputBlob = "jobs/job-1/items", ChunkCount = 1, ChunkSize = 1, ItemCount = 1,
            CreatedAt = created, NotifyUrl = Url,
        }, BinaryData.FromString("1\n")).GetAwaiter().GetResult();
        ledger.Jobs.WriteResultAsync(new JobResult
        {
            JobId = "job-1", Status = JobStatus.Succeeded, Processor = "count", CreatedAt = created,
            Chunks = new ChunkCounts(1, 1, 0, 0), Items = new ItemCounts(1, 0),
        }).GetAwaiter().GetResult();
        return (services.GetRequiredService<NoticeSender>(), ledger);
    }
}
