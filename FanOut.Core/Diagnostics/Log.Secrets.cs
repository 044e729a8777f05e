using Microsoft.Extensions.Logging;

namespace FanOut.Core.Diagnostics;

// The secret settings' messages (event ids 1210-1219), in a file of their own.
internal static partial class Log
{
    [LoggerMessage(1210, LogLevel.Critical, "{Setting} is an unresolved Key Vault reference: the app was given the reference's text, not the secret. "
        + "The app takes no jobs (every request is answered 503) until it runs with the secret: grant the app's managed identity the role "
        + "'{Role}' on the vault the reference names (a role assignment can take minutes to apply), then restart the app")]
    public static partial void SecretUnresolved(ILogger logger, string setting, string role);

    [LoggerMessage(1211, LogLevel.Warning, "Function {Function} did not run: {Settings} is an unresolved Key Vault reference (the app's managed identity needs '{Role}' on the vault)")]
    public static partial void FunctionSkippedForSecrets(ILogger logger, string function, string settings, string role);
}
