using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace FanOut.Tests.Support;

/// <summary>Reads the test storage directly, to check what the app committed.</summary>
internal sealed class JobBlobs(string connectionString, string container = "fanout")
{
    private readonly BlobServiceClient _service = new(connectionString);
    private readonly BlobContainerClient _container = new BlobServiceClient(connectionString).GetBlobContainerClient(container);

    /// <summary>Uploads (or replaces) an input blob.</summary>
    public async Task UploadAsync(string inputContainer, string name, byte[] content)
    {
        var container = _service.GetBlobContainerClient(inputContainer);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient(name).UploadAsync(new BinaryData(content), overwrite: true);
    }

    public async Task<List<BlobItem>> ListAsync(string prefix = "")
    {
        var blobs = new List<BlobItem>();
        if (!await _container.ExistsAsync())
        {
            return blobs;
        }
        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, default))
        {
            blobs.Add(blob);
        }
        return blobs;
    }

    public async Task<int> CommittedChunksAsync(string jobId) => (await ListAsync($"jobs/{jobId}/chunks/")).Count;

    public async Task<string> ReadAsync(string name) =>
        (await _container.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString();
}
