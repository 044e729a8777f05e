using FanOut.Core.Configuration;
using FanOut.Core.Diagnostics;
using FanOut.Core.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FanOut.Core.Readiness;

/// <summary>Whether the app's secret settings hold secrets. When the platform cannot resolve a Key Vault reference (the
/// app's identity has no role on the vault yet, most often because a role assignment is still spreading right after
/// provisioning), it gives the app the reference's own text (<c>@Microsoft.KeyVault(…)</c>): a public string the app
/// would sign its calls with and send as its key, so that every job failed with 401s and nothing said why. Found from
/// the settings alone, as the app starts: while any is unresolved, every request is answered 503 problem+json naming the
/// settings and the role the identity needs, no function runs, and the start-up log says the same. It is not checked
/// again: a setting changes only when the platform restarts the app with new values.</summary>
public sealed class SecretReadiness
{
    /// <summary>How long a caller is asked to wait before it tries again: the platform restarts the app once the
    /// reference resolves.</summary>
    internal static readonly TimeSpan Recheck = TimeSpan.FromSeconds(60);

    private readonly ILogger _logger;

    internal SecretReadiness(FanOutOptions options, ILogger logger)
    {
        _logger = logger;
        Unresolved = [.. options.Secrets().Where(secret => KeyVaultReference.IsUnresolved(secret.Value)).Select(secret => secret.Setting)];
        if (Unresolved.Count > 0)
        {
            var retryAfter = Recheck.TotalSeconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture);
            Refusal = BatchReply.Problem(Problems.SecretsUnresolved(Unresolved, KeyVaultReference.ReaderRole))
                with { Headers = new Dictionary<string, string> { ["Retry-After"] = retryAfter } };
        }
    }

    /// <summary>The check of the secrets that <paramref name="configuration"/> holds, as <c>AddFanOut</c> reads them, for a
    /// host that runs the app elsewhere: LocalHost checks the settings it gives its worker before it says it is ready.</summary>
    public static SecretReadiness Create(IConfiguration configuration, ILoggerFactory loggers)
    {
        var section = configuration.GetSection(FanOutOptions.SectionName);
        // The secrets only, as text: binding the whole section would throw on another setting the worker itself reports.
        var storage = new StorageOptions { ConnectionString = section["Storage:ConnectionString"] };
        if (string.IsNullOrEmpty(section["Storage:ServiceUri"]))
        {
            storage.FallBackToHostAccount(configuration["AzureWebJobsStorage"]);
        }
        var options = new FanOutOptions
        {
            SigningKey = section["SigningKey"], PreviousSigningKey = section["PreviousSigningKey"], FunctionKey = section["FunctionKey"],
            Notify = new NotifyOptions { SigningKey = section["Notify:SigningKey"] }, Storage = storage,
        };
        return new SecretReadiness(options, loggers.CreateLogger<SecretReadiness>());
    }

    /// <summary>True when no secret setting is an unresolved reference.</summary>
    public bool IsReady => Unresolved.Count == 0;

    /// <summary>The settings, by the names an operator sets them under, that are unresolved references.</summary>
    internal IReadOnlyList<string> Unresolved { get; }

    /// <summary>Null when every secret is resolved; else the 503 problem to answer every request with (with Retry-After).</summary>
    public BatchReply? Refusal { get; }

    /// <summary>Logs each unresolved setting and the role to grant, at Critical: what the app does as it starts.</summary>
    public void Report()
    {
        foreach (var setting in Unresolved)
        {
            Log.SecretUnresolved(_logger, setting, KeyVaultReference.ReaderRole);
        }
    }

    /// <summary>Logs that a function that is not an HTTP one (the watchdog's timer) did not run because of the secrets.</summary>
    public void Skipped(string function) =>
        Log.FunctionSkippedForSecrets(_logger, function, string.Join(", ", Unresolved), KeyVaultReference.ReaderRole);
}
