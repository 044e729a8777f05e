using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Demo;
using FanOut.LocalHost.Hosting;

// A real fan-out on this machine: starts Azurite (from node_modules) and FanOut.LocalHost, each as its own
// process on a loopback port it binds itself (LocalHost runs the built FanOut.Functions.dll as its worker), POSTs start_fanout with wordcount over a text, prints the finished job,
// then reads it back from its status URL.
// With --instances N, LocalHost runs N instances (each the real worker as its own process) behind its one front, as Flex
// Consumption runs the app, and the demo prints how many invocations each ran (from LocalHost's GET /admin/instances).
// Usage: dotnet run --project FanOut.Demo -- [--file text.txt] [--chunk-size 100] [--processor wordcount] [--instances 3]
var settings = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0].TrimStart('-'), p => p[1]);
var chunkSize = int.Parse(settings.GetValueOrDefault("chunk-size", "100"), CultureInfo.InvariantCulture);
var processor = settings.GetValueOrDefault("processor", "wordcount");
var (description, lines) = DemoCorpus.Load(settings.GetValueOrDefault("file"));
var instances = settings.TryGetValue("instances", out var count) ? int.Parse(count, CultureInfo.InvariantCulture) : (int?)null;
var print = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

Console.WriteLine("FanOut demo");
await using var azurite = await AzuriteProcess.StartAsync();
Console.WriteLine($"  Azurite (blob storage emulator) is listening on 127.0.0.1:{azurite.Port}");
var logPath = Path.Combine(Path.GetTempPath(), "fanout-demo-localhost.log");
await using var host = await LocalHostProcess.StartAsync(logPath,
    new Dictionary<string, string> { ["FanOut__Storage__ConnectionString"] = azurite.ConnectionString },
    arguments: instances is { } n ? ["--instances", n.ToString(CultureInfo.InvariantCulture)] : null);
Console.WriteLine($"  FanOut.LocalHost (pid {host.Id}) is serving {host.Url}api/batch (log: {logPath})");
if (instances is null)
{
    Console.WriteLine($"  behind it, the real Functions worker (pid {host.WorkerId}) runs {host.WorkerDll}, over the host-worker gRPC protocol");
}
else
{
    Console.WriteLine($"  behind it, {instances} instances, each the real Functions worker running {host.WorkerDll}, over the host-worker gRPC protocol");
}

var job = new JsonObject
{
    ["action"] = "start_fanout",
    ["processor"] = processor,
    ["chunkSize"] = chunkSize,
    ["waitSeconds"] = 120,
    ["options"] = processor == "wordcount" ? new JsonObject { ["top"] = 10 } : new JsonObject(),
    ["items"] = new JsonArray([.. lines.Select(l => JsonValue.Create(l))]),
};
Console.WriteLine($"  Job: {processor} over {lines.Count:N0} lines of {description}, {chunkSize} lines per chunk");
Console.WriteLine($"       -> {(lines.Count + chunkSize - 1) / chunkSize} process_chunk POSTs from the app to itself, each result committed to Blob Storage");

using var http = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromMinutes(5) };
var started = Stopwatch.GetTimestamp();
using var response = await http.PostAsync("api/batch", new StringContent(job.ToJsonString(), Encoding.UTF8, "application/json"));
var answer = await response.Content.ReadAsStringAsync();
var elapsed = Stopwatch.GetElapsedTime(started);
using var result = JsonDocument.Parse(answer);
var root = result.RootElement;
if (response.StatusCode != HttpStatusCode.OK)
{
    Console.WriteLine($"  The job did not finish: {(int)response.StatusCode}\n{answer}");
    return 1;
}

var chunks = root.GetProperty("chunks");
var statusUrl = root.GetProperty("statusUrl").GetString()!;
Console.WriteLine($"  Answer: {(int)response.StatusCode} in {elapsed.TotalMilliseconds:F0} ms, job {root.GetProperty("jobId").GetString()} {root.GetProperty("status").GetString()}:");
Console.WriteLine($"          {chunks.GetProperty("succeeded").GetInt32()} of {chunks.GetProperty("total").GetInt32()} chunks succeeded, {chunks.GetProperty("failed").GetInt32()} failed; {root.GetProperty("items").GetProperty("processed").GetInt64():N0} items processed");
Console.WriteLine();
Console.WriteLine(JsonSerializer.Serialize(root, print));
Console.WriteLine();

if (instances is not null)
{
    Console.WriteLine($"  Invocations per instance (GET {host.Url}admin/instances):");
    foreach (var instance in await DemoInstances.ReadAsync(http))
    {
        Console.WriteLine($"          instance {instance.Id} (worker pid {instance.Pid}): {instance.Invocations:N0} invocations");
    }
    Console.WriteLine();
}

using var status = await http.GetAsync(statusUrl);
using var stored = JsonDocument.Parse(await status.Content.ReadAsStringAsync());
Console.WriteLine($"  Status URL: GET {statusUrl} -> {(int)status.StatusCode} {stored.RootElement.GetProperty("status").GetString()}" +
                  $" (read back from the job's ledger in Blob Storage: jobs/{root.GetProperty("jobId").GetString()}/result.json)");
Console.WriteLine();
Console.WriteLine("Try it yourself: start the storage and the host (see README, \"Running it\"), then:");
Console.WriteLine("""  curl -X POST http://127.0.0.1:7071/api/batch -H 'Content-Type: application/json' -d '{"action":"start_fanout","processor":"wordcount","chunkSize":2,"items":["to be or","not to be","that is","the question"]}'""");
return root.GetProperty("status").GetString() == "Succeeded" && status.StatusCode == HttpStatusCode.OK ? 0 : 1;
