using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using FanOut.Core.Configuration;

namespace FanOut.Core.Ledger;

/// <summary>Builds the one <see cref="BlobServiceClient"/> of the app from its storage settings: by connection string
/// (an account key, or Azurite), or by service URI with a token credential, so that no account key is deployed.</summary>
internal static class BlobServices
{
    /// <summary>The client the settings name: <see cref="StorageOptions.ServiceUri"/> with <paramref name="credential"/>
    /// (DefaultAzureCredential when null) if it is set, else <see cref="StorageOptions.ConnectionString"/>.</summary>
    /// <param name="storage">The validated storage settings.</param>
    /// <param name="credential">The identity to reach <see cref="StorageOptions.ServiceUri"/> with.</param>
    /// <param name="options">Client options instead of <see cref="ClientOptions"/> (a test's transport).</param>
    public static BlobServiceClient Create(StorageOptions storage, TokenCredential? credential = null, BlobClientOptions? options = null)
    {
        options ??= ClientOptions();
        return storage.ServiceUri is { } serviceUri
            ? new BlobServiceClient(serviceUri, credential ?? new DefaultAzureCredential(), options)
            : new BlobServiceClient(storage.ConnectionString, options);
    }

    /// <summary>Few, quick SDK retries: a failure becomes a 503 that the dispatcher's own policy retries with backoff,
    /// instead of an invocation that hangs in storage retries.</summary>
    public static BlobClientOptions ClientOptions()
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }
}
