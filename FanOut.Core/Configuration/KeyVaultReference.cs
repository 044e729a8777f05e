namespace FanOut.Core.Configuration;

/// <summary>An App Service Key Vault reference (<c>@Microsoft.KeyVault(SecretUri=…)</c> or <c>@Microsoft.KeyVault(VaultName=…;SecretName=…)</c>)
/// as the app sees it when the platform could not resolve it: the platform then passes the reference's own text as the
/// setting's value, so the app would sign with, and send, a public string.</summary>
internal static class KeyVaultReference
{
    /// <summary>The text every reference starts with.</summary>
    public const string Prefix = "@Microsoft.KeyVault(";

    /// <summary>The role the app's managed identity needs on a vault with RBAC authorization (FanOut's template creates one)
    /// for the platform to resolve its references: it reads secrets, nothing else.</summary>
    public const string ReaderRole = "Key Vault Secrets User";

    /// <summary>True when <paramref name="value"/> is a reference's text (any case, spaces around it ignored): the
    /// platform did not resolve it, so it is not the secret.</summary>
    public static bool IsUnresolved(string? value) =>
        value is not null && value.AsSpan().Trim().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);
}
