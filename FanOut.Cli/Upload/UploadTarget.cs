using Azure.Identity;
using Azure.Storage.Blobs;

namespace FanOut.Cli.Upload;

/// <summary>The container to upload to, reached one of three ways: a connection string, a container's SAS URL, or an
/// account URL and the identity <see cref="DefaultAzureCredential"/> finds (a pipeline's <c>azure/login</c>, a managed
/// identity, the developer's <c>az login</c>). Each is checked (<see cref="Inputs"/>) before a client is made of it, so a
/// refused one sends nothing.</summary>
internal static class UploadTarget
{
    public static BlobContainerClient Container(ConnectionString? connectionString, string? sasUrl, string? accountUrl, string? container)
    {
        var ways = new[] { connectionString?.Value, sasUrl, accountUrl }.Count(w => !string.IsNullOrEmpty(w));
        if (ways != 1)
        {
            throw new UsageException(
                "Say how to reach the storage, one way: --connection-string (or FANOUT_STORAGE_CONNECTION_STRING), --sas-url (a container's SAS URL), or --account-url (with your Azure identity).");
        }
        if (!string.IsNullOrEmpty(sasUrl))
        {
            var client = new BlobContainerClient(Inputs.Url(sasUrl, "--sas-url"));
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
        return connectionString is { Value.Length: > 0 } given
            ? FromConnectionString(given, container)
            : new BlobServiceClient(Inputs.Url(accountUrl!, "--account-url"), new DefaultAzureCredential()).GetBlobContainerClient(container);
    }

    private static BlobContainerClient FromConnectionString(ConnectionString connectionString, string container)
    {
        Inputs.Printable(connectionString.Value, connectionString.Source);
        try
        {
            return new BlobContainerClient(connectionString.Value, container);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's parser says what is wrong without quoting the value; the console masks it anyway.
            throw new UsageException($"{connectionString.Source} is not a storage connection string: {ex.Message.Split('\n')[0].Trim()}");
        }
    }
}
