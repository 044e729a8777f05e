using System.Text;
using System.Text.Json;
using FanOut.Core.Http;
using FanOut.Core.Ledger;
using FanOut.Core.Processing;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;

namespace FanOut.Tests.Processing;

/// <summary>An app's async processor (<see cref="AsyncChunkProcessor{TOptions, TPartial, TResult}"/>), registered
/// with AddFanOut(...).AddProcessor and run by the runtime through the batch endpoint: each record awaited in order,
/// and a downstream's refusal (<see cref="DownstreamThrottledException"/>) answered 429 with nothing committed.</summary>
public sealed class AsyncChunkProcessorTests
{
    private static readonly string[] Keys = ["c", "a", "é", "b", "", "{\"k\":1}"];

    [Fact]
    public async Task ProcessChunk_AsyncProcessorFromDI_AddsEveryRecordInOrderAfterEachWait()
    {
        await using var app = new App();

        var (status, reply) = await app.PostAsync(Chunk(jobId: null));

        Assert.Equal(200, status);
        Assert.Equal(Keys.Length, reply.GetProperty("items").GetInt64());
        var result = reply.GetProperty("result");
        Assert.Equal(Keys, result.GetProperty("seen").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(Keys.Length, result.GetProperty("found").GetInt64());
    }

    [Fact]
    public async Task ProcessChunk_AsyncProcessorOfAJob_WritesItsOutputThenCommits()
    {
        await using var app = new App();
        ReadOnlyMemory<byte> written = default;
        app.Ledger.Setup(l => l.WriteOutputAsync("job-1", 3, "ndjson", It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .Callback((string _, int _, string _, ReadOnlyMemory<byte> records, CancellationToken _) => written = records.ToArray())
            .ReturnsAsync("jobs/job-1/output/part-000003.ndjson");
        app.Ledger.Setup(l => l.CommitChunkAsync(It.IsAny<CommittedChunk>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((CommittedChunk chunk, CancellationToken _) => new ChunkCommit(chunk, IsDuplicate: false));

        var (status, reply) = await app.PostAsync(Chunk(jobId: "job-1"));

        Assert.Equal(200, status);
        Assert.Equal("jobs/job-1/output/part-000003.ndjson", reply.GetProperty("output").GetString());
        var lines = Encoding.UTF8.GetString(written.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Keys, lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()));
        app.Ledger.Verify(l => l.CommitChunkAsync(It.Is<CommittedChunk>(c => c.Chunk == 3 && c.Items == Keys.Length), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Theory]
    [InlineData(3000, "3")]
    [InlineData(1200, "2")]   // rounded up: never sooner than the downstream asked
    [InlineData(0, "1")]      // at least a second: a pause, not a spin
    [InlineData(null, "1")]   // the downstream said nothing: the job's default pause
    public async Task ProcessChunk_DownstreamThrottled_Is429WithRetryAfterAndCommitsNothing(int? retryAfterMs, string header)
    {
        await using var app = new App();
        var asked = new List<string>();
        app.Lookups.Find = (key, _) =>
        {
            asked.Add(key);
            return key == "é"
                ? throw new DownstreamThrottledException(retryAfterMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, "GET /items/é was answered 429.")
                : Task.FromResult<string?>(key);
        };

        var reply = await app.PostReplyAsync(Chunk(jobId: "job-1"));

        Assert.Equal(429, reply.StatusCode);
        Assert.Equal(header, reply.Headers["Retry-After"]);
        Assert.StartsWith("application/problem+json", reply.ContentType);
        var problem = JsonDocument.Parse(reply.Body).RootElement;
        Assert.Equal("urn:fanout:problem:throttled", problem.GetProperty("type").GetString());
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Contains("GET /items/é was answered 429.", problem.GetProperty("detail").GetString());
        Assert.Equal(["c", "a", "é"], asked); // it stopped at the refusal
        app.AssertNothingCommitted();
    }

    [Fact]
    public async Task ProcessChunk_OtherExceptionOfAnAsyncProcessor_FailsTheCallAsBeforeAndCommitsNothing()
    {
        await using var app = new App();
        app.Lookups.Find = (key, _) => key == "b" ? throw new InvalidOperationException("downstream answered 500") : Task.FromResult<string?>(key);

        // As for any processor: the exception leaves the endpoint, the host answers 500, the dispatcher retries.
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => app.PostReplyAsync(Chunk(jobId: "job-1")));

        Assert.Equal("downstream answered 500", thrown.Message);
        app.AssertNothingCommitted();
    }

    [Fact]
    public async Task ProcessChunk_CallerGoesAwayDuringTheAdds_StopsThemAndCommitsNothing()
    {
        await using var app = new App();
        using var callerGone = new CancellationTokenSource();
        var asked = 0;
        app.Lookups.Find = async (key, cancellationToken) =>
        {
            if (++asked == 2)
            {
                await callerGone.CancelAsync();
            }
            await Task.Delay(1, cancellationToken);
            return key;
        };

        var reply = await app.PostReplyAsync(Chunk(jobId: "job-1"), callerGone.Token);

        Assert.Equal(503, reply.StatusCode);
        Assert.Equal(2, asked);
        app.AssertNothingCommitted();
    }

    // A process_chunk of inline items: standalone (no job, nothing stored) or chunk 3 of a job.
    private static string Chunk(string? jobId) =>
        $$"""{ "action": "process_chunk", "processor": "lookup", {{(jobId is null ? "" : $"\"jobId\": \"{jobId}\", \"chunk\": 3, \"depth\": 2,")}} "items": ["c", "a", "é", "b", "", {"k":1}] }""";

    /// <summary>AddFanOut with the lookup processor, its service, and a ledger that holds no chunk yet.</summary>
    private sealed class App : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        public App()
        {
            Ledger.Setup(l => l.ReadChunkAsync(It.IsAny<string>(), It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync((CommittedChunk?)null);
            _services = TestServices.Build(
                configure: services => services.AddSingleton(Lookups).Replace(ServiceDescriptor.Singleton(Ledger.Object))
                    .Replace(ServiceDescriptor.Singleton(new Mock<IJobStore>(MockBehavior.Strict).Object))
                    .Replace(ServiceDescriptor.Singleton(new Mock<IRunStore>(MockBehavior.Strict).Object))
                    .Replace(ServiceDescriptor.Singleton(new Mock<ISignalStore>(MockBehavior.Strict).Object)),
                fanOut: fanOut => fanOut.AddProcessor<LookupProcessor>());
        }

        public Lookups Lookups { get; } = new();

        public Mock<IChunkStore> Ledger { get; } = new(MockBehavior.Strict);

        public async Task<BatchReply> PostReplyAsync(string body, CancellationToken cancellationToken = default)
        {
            using var scope = _services.CreateScope();
            var endpoint = scope.ServiceProvider.GetRequiredService<BatchEndpoint>();
            return await endpoint.PostAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), TestKeys.Sign(body), cancellationToken);
        }

        public async Task<(int Status, JsonElement Body)> PostAsync(string body)
        {
            var reply = await PostReplyAsync(body);
            return (reply.StatusCode, JsonDocument.Parse(reply.Body).RootElement.Clone());
        }

        public void AssertNothingCommitted()
        {
            Ledger.Verify(l => l.WriteOutputAsync(It.IsAny<string>(), It.IsAny<int>(), It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()), Times.Never);
            Ledger.Verify(l => l.CommitChunkAsync(It.IsAny<CommittedChunk>(), It.IsAny<CancellationToken>()), Times.Never);
        }

        public ValueTask DisposeAsync() => _services.DisposeAsync();
    }
}
