using FanOut.Core.Readiness;
using Microsoft.Extensions.Hosting;

namespace FanOut.Functions;

/// <summary>Checks the configuration as the host starts, so that what is wrong is in the log before any request needs it:
/// each secret setting that is an unresolved Key Vault reference (at Critical, with the role to grant), then the storage
/// setting, so that the first requests find that check done (or under way). It does not hold the host's start: the host
/// stays up and answers every request 503 problem+json saying why (<see cref="ReadinessGate"/>), which a caller sees and a
/// host that failed to start would not tell it.</summary>
internal sealed class ReadinessCheck(SecretReadiness secrets, StorageReadiness storage) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        secrets.Report();
        return storage.CheckAsync(stoppingToken);
    }
}
