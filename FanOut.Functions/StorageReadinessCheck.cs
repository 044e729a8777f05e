using FanOut.Core.Readiness;
using Microsoft.Extensions.Hosting;

namespace FanOut.Functions;

/// <summary>Tries the storage setting as the host starts, so a wrong key is in the log before any request needs the
/// storage, and the first requests find the check done (or under way). It does not hold the host's start.</summary>
internal sealed class StorageReadinessCheck(StorageReadiness readiness) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => readiness.CheckAsync(stoppingToken);
}
