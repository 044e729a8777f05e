using System.Text;
using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Readiness;
using FanOut.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FanOut.Tests.Readiness;

/// <summary>A secret setting whose value is a Key Vault reference the platform did not resolve (its text, not the secret)
/// stops the app from taking jobs, and says which setting and which role, through the real AddFanOut wiring.</summary>
public sealed class SecretReadinessTests
{
    private const string Reference = "@Microsoft.KeyVault(SecretUri=https://example.vault.azure.net/secrets/fanout-signing-key/)";

    [Theory]
    [InlineData("FanOut:SigningKey", "FanOut__SigningKey")]
    [InlineData("FanOut:PreviousSigningKey", "FanOut__PreviousSigningKey")]
    [InlineData("FanOut:FunctionKey", "FanOut__FunctionKey")]
    [InlineData("FanOut:Notify:SigningKey", "FanOut__Notify__SigningKey")]
    [InlineData("FanOut:Storage:ConnectionString", "FanOut__Storage__ConnectionString")]
    [InlineData("AzureWebJobsStorage", "AzureWebJobsStorage")]
    public void Refusal_SecretSettingIsAnUnresolvedReference_Is503ProblemNamingTheSettingAndTheRole(string key, string setting)
    {
        var overrides = new Dictionary<string, string?> { [key] = Reference };
        if (key == "AzureWebJobsStorage")
        {
            overrides["FanOut:Storage:ConnectionString"] = null;
        }
        using var services = TestServices.Build(overrides);

        var sut = services.GetRequiredService<SecretReadiness>();

        Assert.False(sut.IsReady);
        var reply = sut.Refusal!;
        Assert.Equal(503, reply.StatusCode);
        Assert.StartsWith("application/problem+json", reply.ContentType);
        Assert.Equal("60", reply.Headers["Retry-After"]);
        var body = Encoding.UTF8.GetString(reply.Body);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("urn:fanout:problem:secret-unresolved", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        var detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith($"{setting} is an unresolved Key Vault reference", detail);
        Assert.Contains("'Key Vault Secrets User'", detail);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal(new[] { setting }, errors.EnumerateObject().Select(e => e.Name));
        Assert.DoesNotContain("example.vault", body);   // the reference's text is never echoed
        // The options themselves pass: the host stays up to say why it refuses work.
        Assert.Equal(Reference, Read(services, key));
    }

    [Theory]
    [InlineData("@microsoft.keyvault(VaultName=v;SecretName=s)")]
    [InlineData("  @MICROSOFT.KEYVAULT(SecretUri=https://v.vault.azure.net/secrets/s)\n")]
    [InlineData("@Microsoft.KeyVault(x)")]   // shorter than any key may be: the length check does not speak first
    public void Refusal_AnyCaseAndSpacesAround_AreUnresolvedReferences(string value)
    {
        using var services = TestServices.Build(new Dictionary<string, string?> { ["FanOut:SigningKey"] = value });

        var sut = services.GetRequiredService<SecretReadiness>();

        Assert.Equal(new[] { "FanOut__SigningKey" }, sut.Unresolved);
    }

    [Fact]
    public void Refusal_SeveralUnresolved_NamesThemAll()
    {
        using var services = TestServices.Build(new Dictionary<string, string?>
        {
            ["FanOut:SigningKey"] = Reference, ["FanOut:FunctionKey"] = Reference, ["FanOut:Notify:SigningKey"] = "notify-key-0123456789abcdef0123456789",
        });

        var detail = JsonDocument.Parse(services.GetRequiredService<SecretReadiness>().Refusal!.Body).RootElement.GetProperty("detail").GetString()!;

        Assert.StartsWith("FanOut__SigningKey, FanOut__FunctionKey are unresolved Key Vault references", detail);
    }

    [Fact]
    public void Refusal_SecretsAreSecrets_IsNull_AndReportLogsNothing()
    {
        var logs = new ListLoggerProvider();
        using var services = TestServices.Build(new Dictionary<string, string?>
        {
            // A key may hold the words, just not start with a reference.
            ["FanOut:FunctionKey"] = "key-@Microsoft.KeyVault(-0123456789abcdef0123456789",
        }, configure: s => s.AddSingleton<ILoggerProvider>(logs));

        var sut = services.GetRequiredService<SecretReadiness>();
        sut.Report();

        Assert.True(sut.IsReady);
        Assert.Null(sut.Refusal);
        Assert.Empty(logs.Entries);
    }

    [Fact]
    public void Report_LogsEachUnresolvedSettingAtCritical_WithTheRole_AndNoValue()
    {
        var logs = new ListLoggerProvider();
        using var services = TestServices.Build(new Dictionary<string, string?> { ["FanOut:SigningKey"] = Reference, ["FanOut:PreviousSigningKey"] = Reference },
            configure: s => s.AddSingleton<ILoggerProvider>(logs));

        services.GetRequiredService<SecretReadiness>().Report();

        var entries = logs.Entries.Where(e => e.Category == typeof(SecretReadiness).FullName).ToList();
        Assert.Equal(new[] { "FanOut__SigningKey", "FanOut__PreviousSigningKey" }, entries.Select(e => (string)e["Setting"]!));
        Assert.All(entries, entry =>
        {
            Assert.Equal(LogLevel.Critical, entry.Level);
            Assert.Equal(1210, entry.EventId.Id);
            Assert.Contains("'Key Vault Secrets User'", entry.Message);
            Assert.DoesNotContain("example.vault", entry.Message);
        });
    }

    [Fact]
    public void Create_FromTheWorkersSettings_FindsWhatAddFanOutFinds()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = Reference, ["FanOut:Notify:SigningKey"] = Reference, ["FanOut:SelfBaseUrl"] = "not a url at all",
        }).Build();

        var sut = SecretReadiness.Create(configuration, NullLoggerFactory.Instance);

        Assert.Equal(new[] { "FanOut__Notify__SigningKey", "AzureWebJobsStorage" }, sut.Unresolved);
    }

    [Fact]
    public async Task StorageCheck_ConnectionStringIsAnUnresolvedReference_IsMisconfiguredNamingTheRole_WithoutACall()
    {
        var sut = StorageReadiness.Create(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FanOut:Storage:ConnectionString"] = Reference,
        }).Build(), NullLoggerFactory.Instance);

        var reply = await sut.CheckAsync();

        var detail = JsonDocument.Parse(reply!.Body).RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith("FanOut__Storage__ConnectionString: is an unresolved Key Vault reference (the app's managed identity needs 'Key Vault Secrets User'", detail);
    }

    private static string? Read(ServiceProvider services, string key)
    {
        var options = services.GetRequiredService<IOptions<FanOutOptions>>().Value;
        return key switch
        {
            "FanOut:SigningKey" => options.SigningKey,
            "FanOut:PreviousSigningKey" => options.PreviousSigningKey,
            "FanOut:FunctionKey" => options.FunctionKey,
            "FanOut:Notify:SigningKey" => options.Notify.SigningKey,
            _ => options.Storage.ConnectionString,
        };
    }
}
