using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using FanOut.Core.Configuration;
using FanOut.Core.Ledger;

namespace FanOut.Core.Readiness;

/// <summary>One cheap authenticated call to the app's storage (the jobs' container's properties), and what its
/// answer says about the setting.</summary>
internal static class StorageProbe
{
    /// <summary>Tries the storage that <paramref name="storage"/> names with the client <paramref name="client"/> makes.</summary>
    /// <param name="storage">The storage settings.</param>
    /// <param name="client">Makes the app's client; it throws when the setting is not a connection string it can read.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    public static async Task<StorageVerdict> ProbeAsync(StorageOptions storage, Func<BlobServiceClient> client, CancellationToken cancellationToken)
    {
        var setting = storage.Setting;
        if (string.IsNullOrEmpty(storage.ConnectionString) && storage.ServiceUri is null)
        {
            return Misconfigured(setting, "is not set", "no storage setting");
        }
        if (KeyVaultReference.IsUnresolved(storage.ConnectionString))
        {
            return Misconfigured(setting, $"is an unresolved Key Vault reference (the app's managed identity needs '{KeyVaultReference.ReaderRole}' on the vault)",
                "the platform gave the app the reference's text, not the secret");
        }
        try
        {
            await client().GetBlobContainerClient(storage.Container).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return StorageVerdict.Ready(setting);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == "ContainerNotFound")
        {
            // The account looked for the container, so it took the credentials: the ledger creates it on first write.
            return StorageVerdict.Ready(setting);
        }
        catch (Exception ex) when (StorageUnavailableException.IsTransient(ex))
        {
            return new StorageVerdict(StorageState.Unreachable, setting,
                $"Blob Storage could not be reached ({What(ex)}); the app tries again at most every {StorageReadiness.UnreachableRecheck.TotalSeconds:F0} s",
                FirstLine(ex));
        }
        catch (RequestFailedException ex)
        {
            // 401 and 403 above all (a wrong key, an expired SAS, an identity without a role), and any other answer
            // that would repeat (an unknown account): another try with the same setting meets the same answer.
            return Misconfigured(setting, $"Blob Storage refused it ({What(ex)})", FirstLine(ex));
        }
        catch (AuthenticationFailedException ex)
        {
            return Misconfigured(setting, "the app's identity got no token for Blob Storage (DefaultAzureCredential)", FirstLine(ex));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK could not read the connection string (a key that is not base64, a missing endpoint).
            return Misconfigured(setting, "is not a storage connection string the SDK can use", FirstLine(ex));
        }
    }

    private static StorageVerdict Misconfigured(string setting, string detail, string reason) =>
        new(StorageState.Misconfigured, setting, detail, reason);

    private static string What(Exception exception) => exception switch
    {
        RequestFailedException { Status: > 0 } failed => $"{failed.Status} {failed.ErrorCode}".TrimEnd(),
        AggregateException { InnerExceptions: [var first, ..] } => What(first),
        RequestFailedException { InnerException: { } inner } => What(inner),
        _ => exception.GetType().Name,
    };

    private static string FirstLine(Exception exception) => exception.Message.Split('\n', 2)[0].Trim();
}
