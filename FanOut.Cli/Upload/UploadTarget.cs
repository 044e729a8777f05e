using Azure.Identity;
using Azure.Storage.Blobs;

namespace FanOut.Cli.Upload;

/// <summary>The container to upload to, reached one of three ways: a connection string, a container's SAS URL, or an
/// account URL and the identity <see cref="DefaultAzureCredential"/> finds (a pipeline's <c>azure/login</c>, a managed
/// identity, the developer's <c>az login</c>), from flags or the environment (<see cref="UploadDestination"/>). Each is
/// checked (<see cref="Inputs"/>) before a client is made of it, so a refused one sends nothing.</summary>
internal static class UploadTarget
{
    public static BlobContainerClient Container(UploadDestination destination)
    {
        var (connectionString, sasUrl, accountUrl, container) = destination;
        var ways = new[] { connectionString?.Value, sasUrl, accountUrl?.Value }.Count(w => !string.IsNullOrEmpty(w));
        if (ways != 1)
        {
            throw new UsageException(
                $"Say how to reach the storage, one way: --connection-string (or {UploadDestination.ConnectionStringVariable}), --sas-url (a container's SAS URL), or --account-url (or {UploadDestination.BlobEndpointVariable} or {UploadDestination.AccountNameVariable}, as azd outputs them) with your Azure identity.");
        }
        if (!string.IsNullOrEmpty(sasUrl))
        {
            var client = new BlobContainerClient(Inputs.Url(sasUrl, "--sas-url"));
            if (container is not null && container.Value != client.Name)
            {
                throw new UsageException($"--container {container.Value} is not the container of the SAS URL ({client.Name}).");
            }
            return client;
        }
        if (string.IsNullOrEmpty(container?.Value))
        {
            throw new UsageException(
                $"Say which container: --container (or {UploadDestination.ContainerVariable}), one of the app's FanOut__Storage__InputContainers.");
        }
        return connectionString is { Value.Length: > 0 } given
            ? FromConnectionString(given, container.Value)
            : new BlobServiceClient(Inputs.Url(accountUrl!.Value, accountUrl.Source), new DefaultAzureCredential()).GetBlobContainerClient(container.Value);
    }

    private static BlobContainerClient FromConnectionString(Given connectionString, string container)
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
