using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using FanOut.Core;
using FanOut.Core.Configuration;
using FanOut.Core.Dispatch;
using FanOut.Core.Http;
using FanOut.Core.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FanOut.Tests.Support;

/// <summary>The real AddFanOut app with nothing out of process: the ledger in memory (<see cref="InMemoryJobLedger"/>),
/// self-calls in process (<see cref="InProcessSelfCaller"/>), source blobs in memory (<see cref="InMemoryBlobService"/>),
/// and a clock that moves only when a test moves it (<see cref="Clock"/>): no deadline passes and no hand-off stops
/// waiting by itself, so a start_fanout answers its job's result; a test that wants a deadline to pass advances it.</summary>
internal sealed class OrchestrationHost : IAsyncDisposable
{
    // Real time, only so that a broken test fails instead of hanging.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private OrchestrationHost(ServiceProvider services, InMemoryJobLedger ledger, InMemoryBlobService blobs, FakeTimeProvider clock)
    {
        (Services, Ledger, Blobs, Clock) = (services, ledger, blobs, clock);
        Caller = services.GetRequiredService<InProcessSelfCaller>();
    }

    public ServiceProvider Services { get; }

    public InMemoryJobLedger Ledger { get; }

    public InProcessSelfCaller Caller { get; }

    public InMemoryBlobService Blobs { get; }

    public FakeTimeProvider Clock { get; }

    /// <summary>The dispatch settings the app runs with.</summary>
    public DispatchOptions Dispatch => Services.GetRequiredService<IOptions<FanOutOptions>>().Value.Dispatch;

    /// <summary>Builds the app with the FanOut:Dispatch settings given (the defaults otherwise; with a hop deadline of
    /// 30 s or less, an attempt timeout just below it, as the options require), and any other <paramref name="settings"/>
    /// (<c>FanOut:…</c> names). Invalid settings throw here.</summary>
    public static OrchestrationHost Start(
        int? fanoutWidth = null, int? hopDeadlineSeconds = null, int? maxDepth = null, int? maxAttempts = null, Action<FanOutBuilder>? fanOut = null,
        int? maxHops = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var attemptTimeoutSeconds = hopDeadlineSeconds is { } hop && hop <= FanOutDefaults.AttemptTimeoutSeconds ? hop - 1 : (int?)null;
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["FanOut:Storage:InputContainers"] = InMemoryBlobService.InputContainer,
        };
        // The in-process app is every instance at once: unless a test sets its platform, it is two instances of 1,000 slots, about the
        // default budget (16 slots on each of 100 instances), so that its invocations that wait for others (WaitingInvocations,
        // counted per process) have the room the default cluster would give them.
        all.TryAdd("FanOut:Platform:PerInstanceConcurrency", "1000");
        all.TryAdd("FanOut:Platform:MaximumInstanceCount", "2");
        foreach (var (name, value) in new[]
                 {
                     ("FanoutWidth", fanoutWidth), ("HopDeadlineSeconds", hopDeadlineSeconds), ("AttemptTimeoutSeconds", attemptTimeoutSeconds),
                     ("MaxDepth", maxDepth), ("MaxAttempts", maxAttempts), ("MaxHops", maxHops),
                 })
        {
            if (value is { } set)
            {
                all[$"FanOut:Dispatch:{name}"] = set.ToString(CultureInfo.InvariantCulture);
            }
        }
        var ledger = new InMemoryJobLedger();
        var blobs = new InMemoryBlobService();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var services = TestServices.Build(all, services =>
        {
            ledger.ReplaceIn(services);
            services.Replace(ServiceDescriptor.Singleton<BlobServiceClient>(blobs));
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
            services.AddSingleton<InProcessSelfCaller>();
            // ChunkDispatcher, SelfCalls, TreeWalker and JobHandOff all take ISelfCaller from here.
            services.Replace(ServiceDescriptor.Singleton<ISelfCaller>(provider => provider.GetRequiredService<InProcessSelfCaller>()));
        }, fanOut);
        try
        {
            _ = services.GetRequiredService<IOptions<FanOutOptions>>().Value; // validates, as the app does at start-up
        }
        catch
        {
            services.Dispose();
            throw;
        }
        return new OrchestrationHost(services, ledger, blobs, clock);
    }

    /// <summary>POSTs a body from outside (unsigned, as a user would) and reads the answer.</summary>
    public Task<JobReply> PostAsync(string json) => PostAsync(json, Patience);

    /// <summary>As <see cref="PostAsync(string)"/>, failing after <paramref name="patience"/> of real time (a long job).</summary>
    public async Task<JobReply> PostAsync(string json, TimeSpan patience)
    {
        var endpoint = Services.GetRequiredService<BatchEndpoint>();
        return JobReply.Of(await endpoint.PostAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), signature: null).WaitAsync(patience));
    }

    /// <summary>GET of the list of jobs.</summary>
    public async Task<JobReply> ListAsync(string? status = null, string? top = null, string? continuationToken = null) =>
        JobReply.Of(await Services.GetRequiredService<BatchEndpoint>().ListJobsAsync(status, top, continuationToken).WaitAsync(Patience));

    /// <summary>DELETE of a job (its purge).</summary>
    public async Task<JobReply> DeleteAsync(string jobId) =>
        JobReply.Of(await Services.GetRequiredService<BatchEndpoint>().DeleteJobAsync(jobId).WaitAsync(Patience));

    /// <summary>Stores a job without running it: its start is answered 503, as when its dispatch call fails.</summary>
    public async Task StoreOnlyAsync(string startBody)
    {
        Caller.Inject(CallFault.Status(Core.Contracts.BatchActions.Dispatch, 503));
        var reply = await PostAsync(startBody);
        Caller.ClearFaults();
        Assert.Equal(503, reply.Status);
    }

    /// <summary>Plants the lease of a run that died: it holds the job until <paramref name="expiresIn"/> from now.</summary>
    public void PlantDeadRun(string jobId, string runId, TimeSpan expiresIn, TimeSpan? startedAgo = null)
    {
        var now = Clock.GetUtcNow();
        Ledger.PlantDispatchMarker(jobId, new DispatchMarker { RunId = runId, StartedAt = now - (startedAgo ?? TimeSpan.Zero), ExpiresAt = now + expiresIn });
    }

    /// <summary>GET of a job's status.</summary>
    public async Task<JobReply> StatusAsync(string jobId) =>
        JobReply.Of(await Services.GetRequiredService<BatchEndpoint>().GetJobAsync(jobId).WaitAsync(Patience));

    /// <summary>Polls (in real time) until <paramref name="condition"/> holds: the work in flight has reached a point.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var limit = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > limit)
            {
                throw new TimeoutException($"Waited in vain for: {what}. Calls answered: {Answers()}; held: {Caller.Held}; "
                                           + $"server errors: {string.Join(" | ", Caller.ServerErrors.Select(e => e.GetType().Name + ": " + e.Message))}");
            }
            await Task.Delay(5);
        }
    }

    private string Answers() =>
        string.Join(", ", Core.Contracts.BatchActions.All.Select(a => $"{a} {Caller.Answered(a)}/{Caller.Calls(a)}"));

    /// <summary>Moves the clock a second at a time until no delivered call is being handled: a run that found the job
    /// held polls the lease on this clock (its answer may have gone to a caller that stopped waiting).</summary>
    public async Task AdvanceUntilIdleAsync(Task? alsoUntil = null, int maxSeconds = 60)
    {
        // Idle three looks in a row: a call abandoned by its caller may be delivered a moment later.
        for (int second = 0, idle = 0; second < maxSeconds && idle < 3; second++)
        {
            await Task.Delay(50);
            if (Caller.Running > 0 || alsoUntil is { IsCompleted: false })
            {
                idle = 0;
                Clock.Advance(TimeSpan.FromSeconds(1));
            }
            else
            {
                idle++;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Caller.Gate?.Open(); // a test that failed with chunks held lets them end, so that its own failure is what it reports
        await Caller.WhenIdleAsync();
        await Services.DisposeAsync();
    }
}

/// <summary>An answer of the batch endpoint: status, parsed JSON body, headers.</summary>
internal sealed record JobReply(int Status, JsonElement Body, IReadOnlyDictionary<string, string> Headers)
{
    public static JobReply Of(BatchReply reply)
    {
        using var json = JsonDocument.Parse(reply.Body);
        return new JobReply(reply.StatusCode, json.RootElement.Clone(), reply.Headers);
    }

    /// <summary>The job's status field.</summary>
    public JobStatus? JobStatus => Body.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
        && Enum.GetNames<JobStatus>().Contains(status.GetString()) ? Enum.Parse<JobStatus>(status.GetString()!) : null;

    /// <summary>The JSON at a path of property names.</summary>
    public JsonElement At(params string[] path) => path.Aggregate(Body, (element, name) => element.GetProperty(name));

    /// <summary>A number at a path of property names.</summary>
    public long Number(params string[] path) => At(path).GetInt64();

    /// <summary>The listed failures, as (chunk, error, attempts).</summary>
    public IReadOnlyList<(int Chunk, string Error, int Attempts)> Failures =>
        [.. At("failures").EnumerateArray().Select(f => (f.GetProperty("chunk").GetInt32(), f.GetProperty("error").GetString()!, f.GetProperty("attempts").GetInt32()))];

    public override string ToString() => $"{Status} {Body}";
}
