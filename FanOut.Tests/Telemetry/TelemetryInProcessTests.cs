using System.Net;
using System.Net.Http.Headers;
using System.Text;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FanOut.Tests.Telemetry;

/// <summary>FanOut's spans and metrics in process (the real AddFanOut app over the in-memory ledger and in-process
/// self-calls), read with OpenTelemetry's in-memory exporter.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryInProcessTests
{
    [Fact]
    public async Task StartFanout_WithFailedChunks_IsOneTraceAndTheCountersEqualTheJobsCounts()
    {
        using var telemetry = new InMemoryTelemetry();
        await using var host = OrchestrationHost.Start(fanoutWidth: 3);
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 400, [3, 6])); // final: never delivered

        var reply = await host.PostAsync(InlineJobs.Start("traced", "count", InlineJobs.Words(20), chunkSize: 2, toleratedFailurePercent: 20));

        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Equal([10, 8, 2], new[] { "total", "succeeded", "failed" }.Select(n => reply.Number("chunks", n)));
        var trace = new JobTrace(telemetry.Spans(), "traced");
        trace.AssertOneTree();
        Assert.Equal(host.Caller.Deliveries(BatchActions.ProcessChunk), trace.Named("process_chunk").Count);
        Assert.Equal(Enumerable.Range(0, 10).Except([3, 6]), trace.Named("process_chunk").Select(s => (int)(long)s.Attributes["fanout.chunk"]!).Order());
        Assert.Equal(8, trace.Named("commit").Count);
        Assert.Equal(host.Caller.Deliveries(BatchActions.Dispatch), trace.Named("dispatch").Count);
        Assert.Equal(8, telemetry.Metric("fanout.chunks.succeeded"));
        Assert.Equal(2, telemetry.Metric("fanout.chunks.failed"));
        Assert.Equal(0, telemetry.Metric("fanout.chunks.in_flight"));
        Assert.Equal(8, telemetry.Metric("fanout.commit.duration"));
    }

    [Fact]
    public async Task SelfCallRefusedThenAnswered_CountsEachAttemptAndEachPause()
    {
        using var telemetry = new InMemoryTelemetry();
        var host = new StubHandler(call => call <= 3
            ? new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero) } }
            : new HttpResponseMessage(HttpStatusCode.OK));
        var throttle = new JobThrottle(new InMemoryJobLedger().Signals, TimeProvider.System, Options.Create(new FanOutOptions()), NullLogger<JobThrottle>.Instance);
        using var client = new HttpMessageInvoker(new BackPressureHandler(throttle, TimeProvider.System) { InnerHandler = host });
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/api/batch") { Content = new StringContent("{}", Encoding.UTF8) };
        request.Options.Set(SelfClient.JobOption, "paused");

        using var answer = await client.SendAsync(request, CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(4, host.Calls);
        Assert.Equal(4, telemetry.Metric("fanout.selfcall.attempts"));
        Assert.Equal(3, telemetry.Metric("fanout.pauses"));
    }
}
