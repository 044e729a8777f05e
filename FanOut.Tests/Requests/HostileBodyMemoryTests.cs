using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Storage.Blobs;
using FanOut.Tests.Support;

namespace FanOut.Tests.Requests;

/// <summary>Bodies built to cost as much as possible per byte (issue 13), sent to the real worker through LocalHost:
/// each is answered with the right status and a problem body under 64 KiB, writes nothing, sends nothing on, and
/// the worker's peak resident memory stays under a bound that grows with the body, never with what it holds. An
/// accepted job of a million small arrays runs to its end within the same bound.</summary>
/// <remarks>The worker is the process that reads and parses the body. Its peak (VmHWM) is reset through
/// <c>/proc/{pid}/clear_refs</c> just before each body (and each body has a fresh worker), so each peak is its own.
/// The bound is the worker's resident set just before the request, plus <see cref="PerBodyByte"/> times the body, plus
/// <see cref="SlackMiB"/> (the GC's allocation budget, the answer), for every body, refused or accepted: the worker
/// holds a body about three and a half times on its way in before our code sees it (measured: a body over the limit,
/// refused unread, costs 3.4 times its size: the gRPC message, its copy, the request stream), once more as the buffer
/// it is read into, and at most once more for a string taken from it (a 32 MB name or action is a 64 MB string) or
/// for the stored form of its items. The items are never parsed whole (a JsonDocument's metadata is 12 bytes per
/// token grown by doubling: a million arrays of 16 numbers cost 14.5 times their text that way, 5 times now). Before
/// issue 13 the refused bodies cost up to 270 times their size (three million duplicate keys: 17 MiB of body, 4.6 GiB
/// of peak, a 546 MB problem).</remarks>
[Collection(StorageCollection.Name)]
public sealed class HostileBodyMemoryTests(AzuriteFixture storage, Xunit.Abstractions.ITestOutputHelper output)
{
    private const double PerBodyByte = 8;
    private const double SlackMiB = 96;
    private const int ProblemLimit = 64 * 1024;

    public static TheoryData<string, int, string> Cases => new()
    {
        { "unknown-fields-10k", 400, "validation" },
        { "unknown-fields-1M", 400, "validation" },
        { "duplicate-keys-100k", 400, "validation" },
        { "duplicate-keys-3M", 400, "validation" },
        { "tiny-items-1M+1", 400, "validation" },
        { "tiny-items-31M", 400, "validation" },
        { "tiny-items-over-64MiB", 413, "too-large" },
        { "nested-arrays-1M+1", 400, "validation" },
        { "nested-arrays-1M-dry-run", 200, "" },
        { "deeply-nested-100k", 400, "malformed-json" },
        { "huge-job-id-32MB", 400, "validation" },
        { "huge-action-32MB", 400, "validation" },
        { "huge-field-name-32MB", 400, "validation" },
        { "lone-surrogate-action", 400, "validation" },
        { "lone-surrogate-field-name", 400, "validation" },
        { "lone-surrogate-chunk-item", 400, "validation" },
    };

    private static byte[] Body(string name) => name switch
    {
        "unknown-fields-10k" => HostileBodies.UnknownFields(10_000),
        "unknown-fields-1M" => HostileBodies.UnknownFields(1_000_000),
        "duplicate-keys-100k" => HostileBodies.DuplicateKeys(100_000),
        "duplicate-keys-3M" => HostileBodies.DuplicateKeys(3_000_000),
        "tiny-items-1M+1" => HostileBodies.TinyItems(1_000_001),
        "tiny-items-31M" => HostileBodies.TinyItems(31_000_000),
        "tiny-items-over-64MiB" => HostileBodies.TinyItems(34_000_000),
        "nested-arrays-1M+1" => HostileBodies.NestedArrays(1_000_001, dryRun: true),
        "nested-arrays-1M-dry-run" => HostileBodies.NestedArrays(1_000_000, dryRun: true),
        "deeply-nested-100k" => HostileBodies.DeeplyNested(100_000),
        "huge-job-id-32MB" => HostileBodies.HugeString("jobId", 32_000_000),
        "huge-action-32MB" => HostileBodies.HugeString("action", 32_000_000),
        "huge-field-name-32MB" => HostileBodies.HugeName(32_000_000),
        "lone-surrogate-action" => HostileBodies.Text("""{"action":"\ud800","items":[1]}"""),
        "lone-surrogate-field-name" => HostileBodies.Text("""{"action":"start_fanout","items":[1],"\ud800":1}"""),
        "lone-surrogate-chunk-item" => HostileBodies.Text("""{"items":["a","\ud800"]}"""),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task HostileBody_IsRefusedWithABoundedProblem_WithinBoundedMemory(string name, int expectedStatus, string problemType)
    {
        var body = Body(name);
        var jobs = $"hostile-{Guid.NewGuid():N}";
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new() { ["FanOut:Storage:Container"] = jobs }));
        var memory = WorkerMemory.From(server.WorkerProcessId);

        var started = DateTimeOffset.UtcNow;
        using var response = await PostAsync(server, body);
        var answer = await response.Content.ReadAsByteArrayAsync();
        var elapsed = DateTimeOffset.UtcNow - started;
        var (peak, bound) = (memory.PeakMiB, memory.BoundFor(body));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: body {body.Length / 1048576.0:F1} MiB -> {(int)response.StatusCode} in {elapsed.TotalSeconds:F1} s, answer {answer.Length} bytes; worker RSS before {memory.BeforeMiB:F0} MiB, peak {peak:F0} MiB (+{peak - memory.BeforeMiB:F0}); bound {bound:F0} MiB"));
        Assert.Equal(expectedStatus, (int)response.StatusCode);
        if (expectedStatus >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.InRange(answer.Length, 1, ProblemLimit - 1);
            Assert.Equal($"urn:fanout:problem:{problemType}", JsonDocument.Parse(answer).RootElement.GetProperty("type").GetString());
        }
        Assert.True(peak <= bound, $"{name}: worker peaked at {peak:F0} MiB, above the bound of {bound:F0} MiB");
        Assert.Equal(1, server.Requests);   // nothing was sent on
        Assert.False(await new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient(jobs).ExistsAsync());
    }

    [Fact]
    public async Task AcceptedJobOfAMillionArrays_RunsToItsEnd_WithinTheSameBound()
    {
        var body = HostileBodies.NestedArrays(1_000_000, dryRun: false);
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new() { ["FanOut:Storage:Container"] = $"accepted-{Guid.NewGuid():N}" }));
        var memory = WorkerMemory.From(server.WorkerProcessId);

        using var response = await PostAsync(server, body);
        var job = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        for (var poll = 0; poll < 120 && job.GetProperty("status").GetString() is "Accepted" or "Running"; poll++)
        {
            await Task.Delay(500);
            job = JsonDocument.Parse(await server.Client.GetStringAsync($"api/batch/{job.GetProperty("jobId").GetString()}")).RootElement;
        }
        var (peak, bound) = (memory.PeakMiB, memory.BoundFor(body));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accepted job: body {body.Length / 1048576.0:F1} MiB -> {(int)response.StatusCode}, {job.GetProperty("status")}; worker RSS before {memory.BeforeMiB:F0} MiB, peak {peak:F0} MiB (+{peak - memory.BeforeMiB:F0}); bound {bound:F0} MiB"));
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(1_000_000, job.GetProperty("items").GetProperty("processed").GetInt64());
        Assert.Equal(1000, job.GetProperty("chunks").GetProperty("succeeded").GetInt32());
        Assert.True(peak <= bound, $"the accepted job's worker peaked at {peak:F0} MiB, above the bound of {bound:F0} MiB");
    }

    private static Task<HttpResponseMessage> PostAsync(LocalHostServer server, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return server.Client.PostAsync("api/batch", content);
    }

    // The worker's memory from now on: its peak is reset to its resident set, which is noted as the start.
    private sealed record WorkerMemory(int Pid, double BeforeMiB)
    {
        // Linux: writing 5 resets the process's peak resident set (VmHWM) to its current resident set.
        public static WorkerMemory From(int pid)
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return new WorkerMemory(pid, Field(pid, "VmRSS:"));
        }

        public double PeakMiB => Field(Pid, "VmHWM:");

        public double BoundFor(byte[] body) => BeforeMiB + PerBodyByte * body.Length / 1048576.0 + SlackMiB;

        private static double Field(int pid, string name) =>
            File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(name, StringComparison.Ordinal))
                .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024)
                .Single();
    }
}
