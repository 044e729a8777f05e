using System.ComponentModel.DataAnnotations;

namespace FanOut.Core.Configuration;

/// <summary>Where FanOut keeps its jobs: Azure Blob Storage (locally, Azurite).</summary>
internal sealed class StorageOptions
{
    /// <summary>Storage connection string; when absent (and <see cref="ServiceUri"/> too), the Functions host's
    /// <c>AzureWebJobsStorage</c> is used. One of the two is required.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Blob service endpoint (e.g. <c>https://{account}.blob.core.windows.net</c>), reached with the app's
    /// identity (DefaultAzureCredential: a managed identity in Azure, the developer's sign-in locally) instead of an
    /// account key: the production alternative to <see cref="ConnectionString"/>.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The container that holds every job's blobs (<c>jobs/{jobId}/…</c>).</summary>
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "must be a valid blob container name (3-63 of a-z, 0-9 and single '-').")]
    public string Container { get; set; } = "fanout";

    /// <summary>The only containers a job may read its data from, comma-separated (e.g. "inputs,uploads").
    /// Empty: no blob can be a source.</summary>
    public string? InputContainers { get; set; }

    /// <summary>True when <see cref="ConnectionString"/> came from the Functions host's <c>AzureWebJobsStorage</c>.</summary>
    internal bool FromHostAccount { get; private set; }

    /// <summary>The setting, by the name an operator sets it under, that says where the storage is and how to reach it:
    /// what a start-up check that fails names (never its value).</summary>
    internal string Setting => ServiceUri is not null ? "FanOut__Storage__ServiceUri"
        : FromHostAccount || ConnectionString is null ? "AzureWebJobsStorage"
        : "FanOut__Storage__ConnectionString";

    /// <summary>Without a connection string or service URI of FanOut's own, the Functions host's account, as
    /// local.settings.json has it.</summary>
    internal void FallBackToHostAccount(string? hostAccount)
    {
        if (ConnectionString is null && ServiceUri is null && hostAccount is not null)
        {
            ConnectionString = hostAccount;
            FromHostAccount = true;
        }
    }

    /// <summary>The input containers, as a set.</summary>
    internal IReadOnlySet<string> AllowedInputContainers() =>
        (InputContainers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);
}
