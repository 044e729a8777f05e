using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Support;

/// <summary>One Azurite for the tests of the <c>Storage</c> collection (they run one class at a time), started
/// from node_modules on a free port; or, when FANOUT_TEST_STORAGE holds a connection string, that storage.</summary>
public class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Keeps Azurite's data in memory only (see <see cref="AzuriteProcess.StartAsync"/>).</summary>
    protected virtual bool InMemory => false;

    private AzuriteProcess? _server;
    private string? _given;

    public string ConnectionString => _given ?? _server!.ConnectionString;

    /// <summary>The process id of the Azurite it started; null when FANOUT_TEST_STORAGE gave the storage.</summary>
    public int? ProcessId => _server?.ProcessId;

    public async Task InitializeAsync()
    {
        _given = Environment.GetEnvironmentVariable("FANOUT_TEST_STORAGE") is { Length: > 0 } given ? given : null;
        if (_given is null)
        {
            _server = await AzuriteProcess.StartAsync(InMemory);
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Settings of a LocalHost that keeps its jobs in this Azurite.</summary>
    public Dictionary<string, string?> Settings(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?> { ["FanOut:Storage:ConnectionString"] = ConnectionString };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        return settings;
    }
}

[CollectionDefinition(Name)]
public sealed class StorageCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Storage";
}

/// <summary>An Azurite of its own for the largest jobs, whose tests run alone, after every other test: a
/// hundred thousand blobs would slow the shared Azurite for everyone else.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargeStorageCollection : ICollectionFixture<InMemoryAzuriteFixture>
{
    public const string Name = "LargeStorage";
}

/// <summary>An Azurite that keeps its data in memory only, for jobs of many blobs that need no restart.</summary>
public sealed class InMemoryAzuriteFixture : AzuriteFixture
{
    protected override bool InMemory => true;
}
