using Azure.Storage.Blobs;
using FanOut.Core.Configuration;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;
using Microsoft.Extensions.Options;

namespace FanOut.Tests.Ledger;

/// <summary>The ledger's contract held against Blob Storage (the Storage collection's Azurite): the stores AddFanOut
/// registers, each case in a container of its own, removed after it.</summary>
[Collection(StorageCollection.Name)]
public sealed class BlobLedgerContractTests(AzuriteFixture storage) : LedgerContract, IAsyncLifetime
{
    private readonly BlobContainerClient _container = new BlobServiceClient(storage.ConnectionString)
        .GetBlobContainerClient($"contract-{Guid.NewGuid():N}");

    internal override LedgerStores Open()
    {
        var options = new FanOutOptions();
        options.Storage.Container = _container.Name;
        var blobs = new LedgerBlobs(BlobServices.Create(new StorageOptions { ConnectionString = storage.ConnectionString }), Options.Create(options));
        return new LedgerStores(new BlobJobStore(blobs), new BlobChunkStore(blobs), new BlobRunStore(blobs), new BlobSignalStore(blobs));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _container.DeleteIfExistsAsync();
}
