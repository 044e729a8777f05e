using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace FanOut.Cli.Upload;

/// <summary>Puts a file into a container under a name. A blob of that name with the same content (its Content-MD5, which
/// the upload sets) is left as it is: a re-run pipeline then names the same blob version, so its job (whose request pins
/// the source's version) is the same job, not a conflict.</summary>
internal static class BlobUploader
{
    public static async Task<(UploadedBlob Blob, bool Unchanged)> UploadAsync(
        FileInfo file, BlobContainerClient container, string name, bool createContainer, CancellationToken cancellationToken = default)
    {
        if (createContainer)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        var blob = container.GetBlobClient(name);
        var md5 = await HashAsync(file, cancellationToken).ConfigureAwait(false);
        var existing = await PropertiesAsync(blob, cancellationToken).ConfigureAwait(false);
        if (existing?.ContentHash is { } hash && hash.AsSpan().SequenceEqual(md5))
        {
            return (new UploadedBlob(container.Name, name, existing.ContentLength, Quoteless(existing.ETag)), true);
        }
        await using var content = file.OpenRead();
        var uploaded = await blob.UploadAsync(content, new BlobUploadOptions
        {
            // Set by us, so a blob uploaded in blocks (a large file) has one too.
            HttpHeaders = new BlobHttpHeaders { ContentHash = md5, ContentType = "application/octet-stream" },
        }, cancellationToken).ConfigureAwait(false);
        return (new UploadedBlob(container.Name, name, file.Length, Quoteless(uploaded.Value.ETag)), false);
    }

    private static async Task<BlobProperties?> PropertiesAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            return (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static async Task<byte[]> HashAsync(FileInfo file, CancellationToken cancellationToken)
    {
        await using var content = file.OpenRead();
        return await MD5.HashDataAsync(content, cancellationToken).ConfigureAwait(false);
    }

    private static string Quoteless(ETag etag) => etag.ToString().Trim('"');
}
