using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using FanOut.Core.Configuration;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FanOut.Tests.Configuration;

/// <summary>Identity-based storage: <c>FanOut__Storage__ServiceUri</c> reaches Blob Storage with a token credential
/// (DefaultAzureCredential in the app) instead of a connection string with the account key.</summary>
public sealed class StorageIdentityTests
{
    private static readonly Uri ServiceUri = new("https://fanoutjobs.blob.core.windows.net/");

    [Fact]
    public async Task ServiceUri_BuildsTheBlobClientWithATokenCredential_ItsRequestsCarryTheBearerToken()
    {
        var credential = new RecordingCredential();
        HttpRequestMessage? sent = null;
        // The storage's answer comes from a stub: nothing leaves this process.
        var storage = new StubHandler((_, request, _) =>
        {
            sent = request;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        var options = BlobServices.ClientOptions();
        options.Transport = new HttpClientTransport(new HttpClient(storage));

        var client = BlobServices.Create(new StorageOptions { ServiceUri = ServiceUri }, credential, options);
        var exists = await client.GetBlobContainerClient("fanout").ExistsAsync();

        Assert.True(exists.Value);
        Assert.Equal(ServiceUri, client.Uri);
        Assert.False(client.CanGenerateAccountSasUri); // only a shared key (an account key) can sign a SAS
        Assert.Equal(["https://storage.azure.com/.default"], credential.Scopes.Distinct());
        Assert.Equal("fanoutjobs.blob.core.windows.net", sent!.RequestUri!.Host);
        Assert.Equal("Bearer", sent.Headers.Authorization?.Scheme);
        Assert.Equal(RecordingCredential.Token, sent.Headers.Authorization?.Parameter);
    }

    [Fact]
    public void AddFanOut_WithServiceUri_BuildsAnIdentityClientForIt_EvenWhenAzureWebJobsStorageIsSet()
    {
        using var services = TestServices.Build(new Dictionary<string, string?>
        {
            ["FanOut:Storage:ConnectionString"] = null,
            ["FanOut:Storage:ServiceUri"] = ServiceUri.AbsoluteUri,
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", // the host's own account: not FanOut's when ServiceUri is set
        });

        var client = services.GetRequiredService<BlobServiceClient>();

        Assert.Null(services.GetRequiredService<IOptions<FanOutOptions>>().Value.Storage.ConnectionString);
        Assert.Equal(ServiceUri, client.Uri);
        Assert.Equal("fanoutjobs", client.AccountName);
        Assert.False(client.CanGenerateAccountSasUri);
    }

    [Fact]
    public void AddFanOut_WithAConnectionString_BuildsASharedKeyClient()
    {
        using var services = TestServices.Build();

        Assert.True(services.GetRequiredService<BlobServiceClient>().CanGenerateAccountSasUri);
    }

    [Theory]
    [InlineData(null, null, "ConnectionString is required, or ServiceUri")]
    [InlineData("UseDevelopmentStorage=true", "https://fanoutjobs.blob.core.windows.net", "set ConnectionString or ServiceUri, not both")]
    [InlineData(null, "/relative", "ServiceUri must be the https URL")]
    [InlineData(null, "http://127.0.0.1:10000/devstoreaccount1", "ServiceUri must be the https URL")]
    public void Options_StorageNotExactlyOneValidWay_StopsTheAppSayingWhy(string? connectionString, string? serviceUri, string message)
    {
        using var services = TestServices.Build(new Dictionary<string, string?>
        {
            ["FanOut:Storage:ConnectionString"] = connectionString,
            ["FanOut:Storage:ServiceUri"] = serviceUri,
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<FanOutOptions>>().Value);

        Assert.Contains(message, error.Message);
    }

    // A token credential that hands out a fixed token and records the scopes it was asked for.
    private sealed class RecordingCredential : TokenCredential
    {
        public const string Token = "token-for-the-test";

        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes)
            {
                Scopes.AddRange(requestContext.Scopes);
            }
            return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
