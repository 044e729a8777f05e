using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Tests.Support;

namespace FanOut.Tests.Telemetry;

/// <summary>Telemetry of the real worker (FanOut.Functions.dll behind LocalHost), exported by the app's own OTLP
/// wiring to an in-test receiver: the trace context travels on the self-calls (traceparent on the typed HttpClient,
/// LocalHost handing it to the worker as trace_context, the worker's invocation activity continuing it), so a job is
/// one trace; and the counters equal the job's counts. The host is stopped before reading: the worker's providers
/// export what they hold as it shuts down.</summary>
[Collection(StorageCollection.Name)]
public sealed class TelemetryThroughWorkerTests(AzuriteFixture storage)
{
    [Fact]
    public async Task StartFanout_ThroughTheRealWorker_IsOneTraceAndItsCountersEqualTheJob()
    {
        await using var receiver = await OtlpReceiver.StartAsync();

        var (job, processChunkRequests, dispatchRequests) = await RunAsync(receiver, "traced-worker");

        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        var trace = new JobTrace(receiver.Spans, "traced-worker");
        trace.AssertOneTree();
        Assert.Equal(12, trace.Named("process_chunk").Count);
        Assert.Equal(Enumerable.Range(0, 12), trace.Named("process_chunk").Select(s => (int)(long)s.Attributes["fanout.chunk"]!).Order());
        Assert.Equal(12, trace.Named("commit").Count);
        Assert.Equal(dispatchRequests, trace.Named("dispatch").Count); // a tree: the root and its nodes
        Assert.True(dispatchRequests > 2, $"a tree of dispatchers: {dispatchRequests}");
        Assert.Equal(12, receiver.Metric("fanout.chunks.succeeded"));
        Assert.Equal(0, receiver.Metric("fanout.chunks.failed") ?? 0);
        Assert.Equal(processChunkRequests + dispatchRequests, receiver.Metric("fanout.selfcall.attempts"));
        Assert.Equal(0, receiver.Metric("fanout.selfcall.retries") ?? 0);
        Assert.Equal(0, receiver.Metric("fanout.chunks.in_flight"));
        Assert.Equal(12, receiver.Metric("fanout.commit.duration"));
    }

    [Fact]
    public async Task StartFanout_WithRetriedAndFailedChunks_CountsThemAndStaysOneTrace()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var faults = new FaultInjector(probability: 0.3, seed: 15, maxPerChunk: 1);

        // Chunks 4 and 9 are answered 400 by the test's middleware: final, and never reach the worker.
        var (job, processChunkRequests, dispatchRequests) = await RunAsync(receiver, "traced-faults", faults, reject: chunk => chunk is 4 or 9);

        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(2, job.GetProperty("chunks").GetProperty("failed").GetInt32());
        Assert.True(faults.Injected > 0, "the seed breaks some calls");
        var trace = new JobTrace(receiver.Spans, "traced-faults");
        trace.AssertOneTree();
        // A chunk whose answer was cut after it was processed is delivered again: a span for each delivery.
        Assert.Equal(10 + faults.Count(ChunkFault.CutAfterProcessing), trace.Named("process_chunk").Count);
        Assert.Equal(10, trace.Named("process_chunk").Select(s => s.Attributes["fanout.chunk"]).Distinct().Count());
        Assert.Equal(10, receiver.Metric("fanout.chunks.succeeded"));
        Assert.Equal(2, receiver.Metric("fanout.chunks.failed"));
        Assert.Equal(faults.Injected, receiver.Metric("fanout.selfcall.retries"));
        Assert.Equal(processChunkRequests + dispatchRequests, receiver.Metric("fanout.selfcall.attempts"));
        Assert.Equal(0, receiver.Metric("fanout.chunks.in_flight"));
    }

    // Runs one job of 12 chunks (two items each; up to 20 % may fail) on a worker that exports to the receiver, waits
    // until the host serves nothing, and stops it: the worker's providers export what they hold as it shuts down.
    private async Task<(JsonElement Job, int ProcessChunkRequests, int DispatchRequests)> RunAsync(
        OtlpReceiver receiver, string jobId, FaultInjector? faults = null, Func<int, bool>? reject = null)
    {
        var settings = storage.Settings(receiver.ExporterSettings());
        settings["FanOut:Dispatch:FanoutWidth"] = "3"; // 12 chunks: a root, nodes and leaves
        var server = await LocalHostServer.StartAsync(settings, faults);
        try
        {
            server.RejectChunk = reject;
            var start = new JsonObject
            {
                ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "count", ["chunkSize"] = 2, ["toleratedFailurePercent"] = 20,
                ["items"] = new JsonArray([.. Enumerable.Range(0, 24).Select(i => JsonValue.Create(i))]),
            };
            using var response = await server.Client.PostAsJsonAsync("api/batch", start);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
            await server.QuietAsync();
            return (JsonDocument.Parse(body).RootElement.Clone(), server.ProcessChunkRequests, server.DispatchRequests);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
