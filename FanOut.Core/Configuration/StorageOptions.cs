using System.ComponentModel.DataAnnotations;

namespace FanOut.Core.Configuration;

/// <summary>Where FanOut keeps its jobs: Azure Blob Storage (locally, Azurite).</summary>
public sealed class StorageOptions
{
    /// <summary>Storage connection string; when absent, the Functions host's <c>AzureWebJobsStorage</c> is used.</summary>
    [Required(ErrorMessage = "is required: set FanOut__Storage__ConnectionString or AzureWebJobsStorage (UseDevelopmentStorage=true for Azurite).")]
    public string? ConnectionString { get; set; }

    /// <summary>The container that holds every job's blobs (<c>jobs/{jobId}/…</c>).</summary>
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "must be a valid blob container name (3-63 of a-z, 0-9 and single '-').")]
    public string Container { get; set; } = "fanout";

    /// <summary>The only containers a job may read its data from, comma-separated (e.g. "inputs,uploads").
    /// Empty: no blob can be a source.</summary>
    public string? InputContainers { get; set; }

    /// <summary>The input containers, as a set.</summary>
    internal IReadOnlySet<string> AllowedInputContainers() =>
        (InputContainers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);
}
