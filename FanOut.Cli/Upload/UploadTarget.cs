using Azure.Identity;
using Azure.Storage.Blobs;

namespace FanOut.Cli.Upload;

/// <summary>The container to upload to, reached one of three ways: a connection string, a container's SAS URL, or an
/// account URL and the identity <see cref="DefaultAzureCredential"/> finds (a pipeline's <c>azure/login</c>, a managed
/// identity, the developer's <c>az login</c>).</summary>
internal static class UploadTarget
{
    public static BlobContainerClient Container(string? connectionString, string? sasUrl, string? accountUrl, string? container)
    {
        var ways = new[] { connectionString, sasUrl, accountUrl }.Count(w => !string.IsNullOrEmpty(w));
        if (ways != 1)
        {
            throw new UsageException(
                "Say how to reach the storage, one way: --connection-string (or FANOUT_STORAGE_CONNECTION_STRING), --sas-url (a container's SAS URL), or --account-url (with your Azure identity).");
        }
        if (!string.IsNullOrEmpty(sasUrl))
        {
            var client = new BlobContainerClient(Absolute(sasUrl, "--sas-url"));
            if (container is not null && container != client.Name)
            {
                throw new UsageException($"--container {container} is not the container of the SAS URL ({client.Name}).");
            }
            return client;
        }
        if (string.IsNullOrEmpty(container))
        {
            throw new UsageException("Say which container: --container (one of the app's FanOut__Storage__InputContainers).");
        }
        return !string.IsNullOrEmpty(connectionString)
            ? new BlobContainerClient(connectionString, container)
            : new BlobServiceClient(Absolute(accountUrl!, "--account-url"), new DefaultAzureCredential()).GetBlobContainerClient(container);
    }

    private static Uri Absolute(string url, string option) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? uri
            : throw new UsageException($"{option} must be an absolute http(s) URL.");
}
