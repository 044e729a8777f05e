using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using FanOut.Tests.Support;
using Xunit.Abstractions;

namespace FanOut.Tests.LocalHost;

/// <summary>The in-process adapter is kept only where a test needs a seam inside the app; this test proves it
/// answers as the real worker does: a table of requests (every action, every class of error) sent to both, with
/// the same status, content type and body from each.</summary>
[Collection(StorageCollection.Name)]
public sealed class AdapterParityTests(AzuriteFixture storage, ITestOutputHelper output)
{
    private const int MaxRequestBytes = 4096;
    private const string WrongKey = "not-the-apps-signing-key-0123456789abcdef";
    private const string Job = "parity-job";
    private const string JobRequest =
        """{"action":"start_fanout","jobId":"parity-job","processor":"wordcount","chunkSize":2,"options":{"top":3,"lowercase":true},"items":["To be, or not to be","that is the question","Whether tis nobler","in the mind to suffer","a b","c"]}""";

    /// <summary>One request of the table and the status both hosts must answer it with.</summary>
    /// <param name="Outage">Sent to the pair of hosts whose storage is a port where nothing listens.</param>
    /// <param name="Times">A job's result or status: its times (createdAt, completedAt, durationMs) are the
    /// hosts' own and are left out of the comparison.</param>
    private sealed record Row(string Name, int Expected, Func<LocalHostServer, Task<HttpResponseMessage>> Send, bool Outage = false, bool Times = false)
    {
        public override string ToString() => Name;
    }

    private static Func<LocalHostServer, Task<HttpResponseMessage>> Post(string body) => server => server.PostInternalAsync(body, signature: null);

    private static Func<LocalHostServer, Task<HttpResponseMessage>> Signed(string body) => server => server.PostInternalAsync(body);   // afresh per host

    private static Func<LocalHostServer, Task<HttpResponseMessage>> SignedAs(string body, Func<string> signature) =>
        server => server.PostInternalAsync(body, signature());

    private static Func<LocalHostServer, Task<HttpResponseMessage>> Get(string path) => server => server.Client.GetAsync(path);

    private static readonly Row[] Table =
    [
        // process_chunk: a standalone chunk of inline items needs no signature.
        new("process_chunk, no action (the seed's request)", 200, Post("""{"items":[1,2,3]}""")),
        new("process_chunk wordcount with options", 200,
            Post("""{"action":"process_chunk","chunk":2,"processor":"wordcount","options":{"top":2,"lowercase":true},"items":["A b a","c \u00e9 \"q\""]}""")),
        new("process_chunk project", 200,
            Post("""{"action":"process_chunk","processor":"project","options":{"fields":["id"],"where":{"field":"ok","equals":true}},"items":[{"id":1,"ok":true},{"id":2,"ok":false}]}""")),
        // start_fanout: plans, then one job stored and run in each host's own ledger.
        new("start_fanout dryRun, inline items", 200,
            Post("""{"action":"start_fanout","jobId":"parity-plan","processor":"count","chunkSize":2,"items":[1,2,3,4,5],"dryRun":true}""")),
        new("start_fanout dryRun, blob source", 200,
            Post("""{"action":"start_fanout","jobId":"parity-plan","source":{"container":"inputs","blob":"parity/data.txt","format":"lines"},"chunkSize":2,"dryRun":true}""")),
        new("start_fanout of a fixed jobId", 200, Post(JobRequest), Times: true),
        new("start_fanout of the same jobId with the same request: that job", 200, Post(JobRequest), Times: true),
        new("start_fanout of the same jobId with the options in another key order: that job", 200,
            Post(JobRequest.Replace("""{"top":3,"lowercase":true}""", """{"lowercase":true,"top":3}""", StringComparison.Ordinal)), Times: true),
        new("GET the job's status", 200, Get($"api/batch/{Job}"), Times: true),
        new("resume of the finished job", 200, Post($$"""{"action":"resume","jobId":"{{Job}}","waitSeconds":5}"""), Times: true),
        // The internal actions, signed as the app signs them: a chunk of the job (committed already: the committed
        // result stands), the top of the job's dispatch tree (every chunk committed: nothing to send), a node of it,
        // and the quote count of a CSV blob's byte range.
        new("process_chunk of the job, signed", 200,
            Signed("""{"action":"process_chunk","jobId":"parity-job","chunk":0,"depth":2,"processor":"wordcount","options":{"top":3,"lowercase":true},"items":["To be, or not to be","that is the question"]}""")),
        new("dispatch of the job, signed", 200, Signed($$"""{"action":"dispatch","jobId":"{{Job}}","runId":"parity-run","depth":1}"""), Times: true),
        new("dispatch of a range of the job, signed", 200,
            Signed($$"""{"action":"dispatch_node","jobId":"{{Job}}","runId":"parity-run","depth":2,"first":0,"count":3,"pending":[]}""")),
        new("count_quotes, signed", 200,
            Signed("""{"action":"count_quotes","jobId":"parity-job","chunk":0,"depth":2,"source":{"container":"inputs","blob":"parity/data.csv","format":"csv","start":0,"end":24}}""")),
        new("start_fanout of the jobId with a different request", 409, Post(JobRequest.Replace("\"c\"", "\"d\"", StringComparison.Ordinal))),
        // Unknown things.
        new("GET an unknown job", 404, Get("api/batch/parity-no-such-job")),
        new("resume an unknown job", 404, Post("""{"action":"resume","jobId":"parity-no-such-job"}""")),
        new("start_fanout of a missing source blob", 404,
            Post("""{"action":"start_fanout","source":{"container":"inputs","blob":"parity/missing.txt","format":"lines"}}""")),
        // Bad requests.
        new("GET with an invalid job id", 400, Get("api/batch/not!valid")),
        new("malformed JSON", 400, Post("""{"action":"start_fanout","items":[1,""")),
        new("empty body", 400, Post("")),
        new("a body that is not an object", 400, Post("[1,2,3]")),
        new("unknown action", 400, Post("""{"action":"explode"}""")),
        new("action not a string", 400, Post("""{"action":7}""")),
        new("unknown field, with a hint", 400, Post("""{"action":"start_fanout","items":[1],"chunk_size":10}""")),
        new("field out of bounds", 400, Post("""{"action":"start_fanout","items":[1],"chunkSize":0,"waitSeconds":201}""")),
        new("source container not allowed", 400, Post("""{"action":"start_fanout","source":{"container":"secrets","blob":"a.txt","format":"lines"}}""")),
        new("resume without a jobId", 400, Post("""{"action":"resume"}""")),
        new($"a body over MaxRequestBytes ({MaxRequestBytes})", 413, Post($$"""{"items":["{{new string('x', MaxRequestBytes)}}"]}""")),
        // Internal calls: unsigned, wrongly signed, too deep.
        new("dispatch without a signature", 401, Post($$"""{"action":"dispatch","jobId":"{{Job}}","runId":"forged","depth":1}""")),
        new("count_quotes without a signature", 401,
            Post("""{"action":"count_quotes","jobId":"parity-job","chunk":0,"depth":2,"source":{"container":"inputs","blob":"x.csv","format":"csv"}}""")),
        new("process_chunk of a job without a signature", 401, Post("""{"action":"process_chunk","jobId":"parity-job","chunk":9,"depth":2,"items":["forged"]}""")),
        new("dispatch with a bogus signature", 403,
            SignedAs($$"""{"action":"dispatch","jobId":"{{Job}}","runId":"forged","depth":1}""", () => "v1;t=0;n=x;s=forged")),
        new("process_chunk of a job signed with another key", 403,
            SignedAs("""{"action":"process_chunk","jobId":"parity-job","chunk":9,"depth":2,"items":["forged"]}""",
                () => TestKeys.Sign("""{"action":"process_chunk","jobId":"parity-job","chunk":9,"depth":2,"items":["forged"]}""", WrongKey))),
        new("dispatch beyond MaxDepth, signed", 508,
            Signed("""{"action":"dispatch_node","jobId":"parity-job","runId":"forged","depth":9,"first":0,"count":3,"pending":[[0,3]]}""")),
        new("process_chunk beyond MaxDepth, signed", 508, Signed("""{"action":"process_chunk","jobId":"parity-deep","chunk":0,"processor":"count","depth":5,"items":[1]}""")),
        // Storage down.
        new("GET a job, storage down", 503, Get($"api/batch/{Job}"), Outage: true),
        new("start_fanout, storage down", 503, Post("""{"action":"start_fanout","jobId":"parity-down","items":[1,2]}"""), Outage: true),
        new("process_chunk of a job, storage down", 503, Signed("""{"action":"process_chunk","jobId":"parity-down","chunk":0,"depth":2,"items":[1]}"""), Outage: true),
    ];

    [Fact]
    public async Task AdapterAndRealWorker_AnswerEveryRequestOfTheTable_WithTheSameStatusContentTypeAndBody()
    {
        Assert.True(Table.Length >= 20);
        Assert.Superset(new HashSet<int> { 200, 400, 401, 403, 404, 409, 413, 508, 503 }, Table.Select(r => r.Expected).ToHashSet());
        await new JobBlobs(storage.ConnectionString).UploadAsync("inputs", "parity/data.txt", Encoding.UTF8.GetBytes("one\ntwo\nthree\n"));
        await new JobBlobs(storage.ConnectionString).UploadAsync("inputs", "parity/data.csv", Encoding.UTF8.GetBytes("a,b\n\"x, y\",2\n\"q\"\"q\",3\n"));
        // Each host keeps its jobs in a container of its own, so that each stores and runs the job itself.
        var containers = new[] { $"parity-{Guid.NewGuid():N}-a", $"parity-{Guid.NewGuid():N}-b" };
        Dictionary<string, string?> Settings(string connection, string container) => new()
        {
            ["FanOut:Storage:ConnectionString"] = connection,
            ["FanOut:Storage:Container"] = container,
            ["FanOut:Storage:InputContainers"] = "inputs",
            ["FanOut:Limits:MaxRequestBytes"] = MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var down = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:{ClosedPort()}/devstoreaccount1;";
        var started = Stopwatch.StartNew();
        Task<LocalHostServer>[] starting =
        [
            LocalHostServer.StartAsync(Settings(storage.ConnectionString, containers[0]), inProcess: true),
            LocalHostServer.StartAsync(Settings(storage.ConnectionString, containers[1])),
            LocalHostServer.StartAsync(Settings(down, "fanout"), inProcess: true),
            LocalHostServer.StartAsync(Settings(down, "fanout")),
        ];
        var mismatches = new List<string>();
        try
        {
            var hosts = await Task.WhenAll(starting);
            output.WriteLine($"4 hosts started in {started.ElapsedMilliseconds} ms");
            foreach (var row in Table)
            {
                var (adapter, worker) = row.Outage ? (hosts[2], hosts[3]) : (hosts[0], hosts[1]);
                var timer = Stopwatch.StartNew();
                var adapted = await AnswerAsync(adapter, row);
                var adaptedMs = timer.ElapsedMilliseconds;
                timer.Restart();
                var real = await AnswerAsync(worker, row);
                var realMs = timer.ElapsedMilliseconds;
                output.WriteLine($"{row.Expected} {row.Name}: adapter {adapted.Status} in {adaptedMs} ms, worker {real.Status} in {realMs} ms");
                // Storage down is found out after the SDK's few quick retries (AddFanOut: 2, from 100 ms), not a hang.
                if (row.Outage && Math.Max(adaptedMs, realMs) > 10_000)
                {
                    mismatches.Add($"{row.Name}: took {adaptedMs} ms (adapter) and {realMs} ms (worker); storage down should be answered within 10 s");
                }
                foreach (var (what, a, w) in new[]
                         {
                             ("status", adapted.Status.ToString(), real.Status.ToString()),
                             ("Content-Type", adapted.ContentType, real.ContentType),
                             ("Retry-After", adapted.RetryAfter, real.RetryAfter),
                             ("Location", adapted.Location, real.Location),
                             ("body", adapted.Body, real.Body),
                         })
                {
                    if (a != w)
                    {
                        mismatches.Add($"{row.Name}: {what} differs\n    adapter: {a}\n    worker:  {w}");
                    }
                }
                foreach (var (host, answer) in new[] { ("adapter", adapted), ("worker", real) })
                {
                    if (answer.Status != row.Expected)
                    {
                        mismatches.Add($"{row.Name}: the {host} answered {answer.Status}, not {row.Expected}: {answer.Body}");
                    }
                }
            }
        }
        finally
        {
            foreach (var start in starting)
            {
                if (await start.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default) is { } host)
                {
                    await host.QuietAsync();
                    await host.DisposeAsync();
                }
            }
            var account = new BlobServiceClient(storage.ConnectionString);
            foreach (var container in containers)
            {
                await account.GetBlobContainerClient(container).DeleteIfExistsAsync();
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} difference(s) between the adapter and the real worker:\n" + string.Join("\n", mismatches));
    }

    private sealed record Answer(int Status, string? ContentType, string? RetryAfter, string? Location, string Body);

    // The answer, with what must differ between the two hosts made equal: each host's own base URL (in a job's
    // statusUrl) and, for a job's result or status, its times.
    private static async Task<Answer> AnswerAsync(LocalHostServer server, Row row)
    {
        using var response = await row.Send(server);
        var body = (await response.Content.ReadAsStringAsync()).Replace(server.BaseUrl.AbsoluteUri.TrimEnd('/'), "{host}", StringComparison.Ordinal);
        if (row.Times && JsonNode.Parse(body) is JsonObject job)
        {
            foreach (var time in (string[])["createdAt", "completedAt", "durationMs"])
            {
                job.Remove(time);
            }
            body = job.ToJsonString();
        }
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(),
            response.Headers.RetryAfter?.ToString(), response.Headers.Location?.OriginalString, body);
    }

    // A loopback port where nothing listens: bound by the system, then let go.
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
