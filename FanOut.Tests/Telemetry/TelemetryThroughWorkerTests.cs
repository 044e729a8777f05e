using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Tests.Support;

namespace FanOut.Tests.Telemetry;

/// <summary>Telemetry of the real worker (FanOut.Functions.dll behind LocalHost), exported by the app's own OTLP
/// wiring to an in-test receiver, with the repository's host.json (<c>telemetryMode: OpenTelemetry</c>), so LocalHost
/// exports its request spans there too: the trace context travels on the self-calls (traceparent on the typed
/// HttpClient, LocalHost's request span as the invocation's trace_context, the worker's invocation activity continuing
/// it), so a job is one trace; each invocation is one server span; the counters equal the job's counts. The host is
/// stopped before reading: its providers and the worker's export what they hold as they shut down.</summary>
[Collection(StorageCollection.Name)]
public sealed class TelemetryThroughWorkerTests(AzuriteFixture storage)
{
    private const string Inputs = "inputs";

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

    [Fact]
    public async Task StartFanout_InOpenTelemetryMode_IsOneServerSpanPerInvocation_MarksTheFailedChunk_AndMeasuresInSeconds()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var blobs = new JobBlobs(storage.ConnectionString);
        var prefix = $"traced-{Guid.NewGuid():N}/";
        for (var i = 0; i < 4; i++)
        {
            await blobs.UploadAsync(Inputs, $"{prefix}part-{i}.txt", Encoding.UTF8.GetBytes($"a{i}\nb{i}\nc{i}\n"));
        }
        var jobId = $"otel-{Guid.NewGuid():N}";
        var settings = storage.Settings(receiver.ExporterSettings());
        settings["FanOut:Storage:InputContainers"] = Inputs;
        settings["FanOut:Watchdog:Schedule"] = "0 0 0 1 1 *"; // once a year: no timer invocation during the test
        var server = await LocalHostServer.StartAsync(settings);
        JsonElement job;
        long invocations;
        int posts;
        try
        {
            // Chunk 2's blob (one blob, one chunk) is replaced as its call reaches the host: the worker reads a version the
            // job was not planned on and refuses the chunk (412, final).
            var replaced = 0;
            server.OnChunk = chunk =>
            {
                if (chunk == 2 && Interlocked.Exchange(ref replaced, 1) == 0)
                {
                    blobs.UploadAsync(Inputs, $"{prefix}part-2.txt", "replaced\n"u8.ToArray()).GetAwaiter().GetResult();
                }
            };
            var start = new JsonObject
            {
                ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "count", ["chunkSize"] = 100, ["toleratedFailurePercent"] = 25,
                ["source"] = new JsonObject { ["container"] = Inputs, ["prefix"] = prefix, ["format"] = "lines" },
            };
            using var response = await server.Client.PostAsJsonAsync("api/batch", start);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
            job = JsonDocument.Parse(body).RootElement.Clone();
            await server.QuietAsync();
            // Counted by the host's instances, apart from any span: every invocation they ran (HTTP; no timer ran).
            invocations = (await server.InstancesAsync()).Sum(i => i.Invocations);
            posts = 1 + server.ProcessChunkRequests + server.DispatchRequests;
        }
        finally
        {
            await server.DisposeAsync(); // the host's and the worker's providers export what they hold as they stop
        }

        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(2, Assert.Single(job.GetProperty("failures").EnumerateArray()).GetProperty("chunk").GetInt32());
        var trace = new JobTrace(receiver.Spans, jobId);
        trace.AssertOneTree();

        // Exactly one server span per invocation: the host's request. The worker's invocation span is an internal child of it.
        Assert.Equal(posts, invocations);
        var requests = receiver.Spans.Where(s => s.Kind == ActivityKind.Server).ToList();
        Assert.Equal(invocations, requests.Count);
        Assert.All(requests, r => Assert.Equal("FanOut.LocalHost", r.Scope));
        Assert.Equal(requests.Count, requests.Select(r => r.Attributes["faas.invocation_id"]).Distinct().Count());
        var invoked = receiver.Spans.Where(s => s.Scope == "Microsoft.Azure.Functions.Worker").ToList();
        Assert.Equal(requests.Count, invoked.Count);
        Assert.All(invoked, span =>
        {
            Assert.Equal(ActivityKind.Internal, span.Kind);
            var request = Assert.Single(requests, r => r.SpanId == span.ParentSpanId);
            Assert.Equal(request.Attributes["faas.invocation_id"], span.Attributes["faas.invocation_id"]);
        });

        // The failed chunk: its span in the worker, and its self-call in the dispatcher, are errors with an error type.
        var failed = Assert.Single(trace.Named("process_chunk"), s => Equals(s.Attributes["fanout.chunk"], 2L));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("SourceChanged", failed.Attributes["error.type"]);
        Assert.All(trace.Named("process_chunk").Where(s => s != failed), s => Assert.Equal(ActivityStatusCode.Unset, s.Status));
        var call = Assert.Single(trace.Named("self_call"), s => Equals(s.Attributes["fanout.operation"], $"{jobId}/2"));
        Assert.Equal(ActivityStatusCode.Error, call.Status);
        Assert.Equal("412", call.Attributes["error.type"]);
        // Its request answered 412: the caller's fault as HTTP has it for a server, so the request is not an error.
        var failedInvocation = Assert.Single(invoked, i => i.SpanId == failed.ParentSpanId);
        var failedRequest = Assert.Single(requests, r => r.SpanId == failedInvocation.ParentSpanId);
        Assert.Equal(412L, failedRequest.Attributes["http.response.status_code"]);
        Assert.Equal(ActivityStatusCode.Unset, failedRequest.Status);

        // Every duration histogram has the same explicit boundaries, in seconds, from 1 ms to 5 min.
        double[] seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
        var durations = receiver.Histograms.Where(h => h.Scope == "FanOut").ToList();
        Assert.Contains(durations, h => h.Name == "fanout.commit.duration");
        Assert.All(durations, h =>
        {
            Assert.Equal("s", h.Unit);
            Assert.NotEmpty(h.Bounds);
            Assert.All(h.Bounds, bounds => Assert.Equal(seconds, bounds));
        });
        Assert.Equal(3, receiver.Metric("fanout.commit.duration"));

        // The worker exports its own logs (the host stops relaying them once told so): the chunk's failure is among them.
        Assert.Contains(receiver.Logs, log => log.Severity is >= 13 and <= 16 && log.Body.Contains("failed after", StringComparison.Ordinal));
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
