using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FanOut.Tests.Samples;

/// <summary>The enrich sample's downstream, on 127.0.0.1 (bound to port 0, the port read back): <c>GET /items/{id}</c>
/// answers <see cref="Item"/> after <c>latency</c>, 404 for ids divisible by 7, and 429 with <c>Retry-After: 1</c>,
/// at once, to a request that finds more than <c>limit</c> requests let through within the last <c>window</c>.
/// With the window shorter than the latency, a caller that asks one item at a time (a chunk) has at most one
/// request in any window: so more than <c>limit</c> chunks asking at once are throttled, and at most that many are not.</summary>
internal sealed class ItemsStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Queue<long> _letThrough = new();
    private readonly int _limit;
    private readonly TimeSpan _window;
    private readonly TimeSpan _latency;
    private int _requests;
    private int _throttled;
    private int _inFlight;
    private int _peakInFlight;

    private ItemsStub(WebApplication app, int limit, TimeSpan window, TimeSpan latency)
    {
        (_app, _limit, _window, _latency) = (app, limit, window, latency);
        app.MapGet("/items/{id:int}", AnswerAsync);
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests that arrived.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests being answered now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The most requests that were being answered at once.</summary>
    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    /// <summary>Requests answered 429.</summary>
    public int Throttled => Volatile.Read(ref _throttled);

    /// <summary>The item of an id the stub knows: deterministic, so a test can compute what enrich emits.</summary>
    public static string Item(int id) => $$"""{"id":{{id}},"title":"item {{id}}","price":{{id * 3}}}""";

    public static bool Knows(int id) => id % 7 != 0;

    public static async Task<ItemsStub> StartAsync(int limit, TimeSpan window, TimeSpan latency)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var stub = new ItemsStub(builder.Build(), limit, window, latency);
        await stub._app.StartAsync();
        stub.BaseUrl = new Uri(stub._app.Urls.Single());
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context, int id)
    {
        Interlocked.Increment(ref _requests);
        var now = Interlocked.Increment(ref _inFlight);
        for (var peak = Volatile.Read(ref _peakInFlight); now > peak; peak = Volatile.Read(ref _peakInFlight))
        {
            Interlocked.CompareExchange(ref _peakInFlight, now, peak);
        }
        try
        {
            await AnswerCountedAsync(context, id);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AnswerCountedAsync(HttpContext context, int id)
    {
        if (!LetThrough())
        {
            Interlocked.Increment(ref _throttled);
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "1";
            return;
        }
        await Task.Delay(_latency);
        if (!Knows(id))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Item(id));
    }

    // At most _limit requests let through per _window (a sliding window, so the queue holds at most _limit).
    private bool LetThrough()
    {
        var now = Stopwatch.GetTimestamp();
        lock (_letThrough)
        {
            while (_letThrough.Count > 0 && Stopwatch.GetElapsedTime(_letThrough.Peek(), now) >= _window)
            {
                _letThrough.Dequeue();
            }
            if (_letThrough.Count >= _limit)
            {
                return false;
            }
            _letThrough.Enqueue(now);
            return true;
        }
    }
}
