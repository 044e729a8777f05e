using Azure.Storage.Blobs;
using FanOut.Core.Configuration;
using FanOut.Core.Diagnostics;
using FanOut.Core.Http;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FanOut.Core.Readiness;

/// <summary>Whether the app's storage works: found out at start-up by one cheap authenticated call, before any
/// request needs it. Until it works, every request is answered 503 problem+json naming the setting (never its value)
/// and the reason is logged: a setting the storage refuses (401/403, not a connection string) is checked again at
/// most every 60 s (a role assignment that had not spread yet heals), a storage that cannot be reached at most every
/// 5 s; each time on a request, never in the background. Once it has worked it is not checked again: later failures
/// are each request's own 503.</summary>
public sealed class StorageReadiness
{
    /// <summary>How soon, at the earliest, a storage that could not be reached is tried again.</summary>
    internal static readonly TimeSpan UnreachableRecheck = TimeSpan.FromSeconds(5);

    /// <summary>How soon, at the earliest, a setting the storage refused is tried again.</summary>
    internal static readonly TimeSpan MisconfiguredRecheck = TimeSpan.FromSeconds(60);

    private readonly StorageOptions _storage;
    private readonly Func<BlobServiceClient> _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Task<StorageVerdict>? _check;
    private DateTimeOffset _checkedAt;
    private volatile bool _ready;

    internal StorageReadiness(StorageOptions storage, Func<BlobServiceClient> client, TimeProvider time, ILogger logger)
    {
        (_storage, _client, _time, _logger) = (storage, client, time, logger);
    }

    /// <summary>The check of the storage that <paramref name="configuration"/> names, as <c>AddFanOut</c> reads it
    /// (<c>FanOut:Storage</c>, else <c>AzureWebJobsStorage</c>), for a host that runs the app elsewhere: LocalHost
    /// checks the settings it gives its worker before it says it is ready.</summary>
    public static StorageReadiness Create(IConfiguration configuration, ILoggerFactory loggers)
    {
        var storage = configuration.GetSection($"{FanOutOptions.SectionName}:Storage").Get<StorageOptions>() ?? new StorageOptions();
        storage.FallBackToHostAccount(configuration["AzureWebJobsStorage"]);
        return new StorageReadiness(storage, () => BlobServices.Create(storage), TimeProvider.System, loggers.CreateLogger<StorageReadiness>());
    }

    /// <summary>True once the storage has worked.</summary>
    public bool IsReady => _ready;

    /// <summary>Null when the storage works; else the 503 problem to answer (with Retry-After). The first call checks
    /// (calls at the same time share one check); a failed check is repeated only when it is old enough.</summary>
    /// <param name="cancellationToken">Stops the waiting, not the check, which the next caller may need.</param>
    public async Task<BatchReply?> CheckAsync(CancellationToken cancellationToken = default)
    {
        if (_ready)
        {
            return null;
        }
        var verdict = await CurrentCheck().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (verdict.State == StorageState.Ready)
        {
            return null;
        }
        var recheck = Recheck(verdict.State);
        var retryAfter = recheck.TotalSeconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture);
        var problem = Problems.StorageNotReady(verdict.State == StorageState.Misconfigured, verdict.Setting, verdict.Detail, recheck);
        return BatchReply.Problem(problem) with { Headers = new Dictionary<string, string> { ["Retry-After"] = retryAfter } };
    }

    private Task<StorageVerdict> CurrentCheck()
    {
        lock (_gate)
        {
            if (_check is null || (_check.IsCompleted && _time.GetUtcNow() - _checkedAt >= Recheck(_check.Result.State)))
            {
                _check = CheckStorageAsync();
            }
            return _check;
        }
    }

    // Never throws: whatever the storage or the SDK does becomes a verdict. It runs without the caller's token, as the
    // callers after it wait for the same check; the client's own retries and timeouts bound it.
    private async Task<StorageVerdict> CheckStorageAsync()
    {
        await Task.Yield();
        StorageVerdict verdict;
        try
        {
            verdict = await StorageProbe.ProbeAsync(_storage, _client, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            verdict = new StorageVerdict(StorageState.Unreachable, _storage.Setting,
                $"the storage check failed ({ex.GetType().Name}); the app tries again at most every {UnreachableRecheck.TotalSeconds:F0} s", ex.Message);
        }
        _checkedAt = _time.GetUtcNow();
        switch (verdict.State)
        {
            case StorageState.Ready:
                _ready = true;
                Log.StorageReady(_logger, verdict.Setting, _storage.Container);
                break;
            case StorageState.Misconfigured:
                Log.StorageMisconfigured(_logger, verdict.Setting, verdict.Detail, verdict.Reason, MisconfiguredRecheck.TotalSeconds);
                break;
            default:
                Log.StorageUnreachable(_logger, verdict.Setting, verdict.Detail, verdict.Reason);
                break;
        }
        return verdict;
    }

    private static TimeSpan Recheck(StorageState state) => state == StorageState.Misconfigured ? MisconfiguredRecheck : UnreachableRecheck;
}
