using System.Text.RegularExpressions;

namespace FanOut.Cli.Upload;

/// <summary>Where <c>fanout upload</c> puts a file: the one way it reaches the storage (a connection string, a container's
/// SAS URL, or an account's blob URL and your Azure identity) and the container, each with where it came from. Flags win:
/// when none of <c>--connection-string</c>, <c>--sas-url</c> or <c>--account-url</c> is given, the way is read from the
/// environment, FANOUT_STORAGE_CONNECTION_STRING first, then the variables named like azd's outputs
/// (<c>azd env get-values</c>): AZURE_STORAGE_BLOB_ENDPOINT, else AZURE_STORAGE_ACCOUNT_NAME; and without
/// <c>--container</c>, the container is FANOUT_INPUT_CONTAINER (not with a SAS URL, which names its own).</summary>
internal sealed partial record UploadDestination(Given? ConnectionString, string? SasUrl, Given? AccountUrl, Given? Container)
{
    public const string ConnectionStringVariable = "FANOUT_STORAGE_CONNECTION_STRING";
    public const string BlobEndpointVariable = "AZURE_STORAGE_BLOB_ENDPOINT";
    public const string AccountNameVariable = "AZURE_STORAGE_ACCOUNT_NAME";
    public const string ContainerVariable = "FANOUT_INPUT_CONTAINER";

    /// <summary>The environment variables, named like the template's outputs, that stand for a flag not given.</summary>
    public static readonly string[] AzdOutputs = [BlobEndpointVariable, AccountNameVariable, ContainerVariable];

    /// <summary>The destination the flags say, completed from the environment (an empty variable is no variable).</summary>
    public static UploadDestination Of(
        string? connectionString, string? sasUrl, string? accountUrl, string? container, Func<string, string?> variable)
    {
        var way = connectionString is not null || sasUrl is not null || accountUrl is not null
            ? new UploadDestination(
                connectionString is null ? null : new Given(connectionString, "--connection-string"), sasUrl,
                accountUrl is null ? null : new Given(accountUrl, "--account-url"), null)
            : FromEnvironment(variable);
        var where = container is not null ? new Given(container, "--container")
            : way.SasUrl is null && Set(variable(ContainerVariable)) is { } fromVariable ? new Given(fromVariable, ContainerVariable)
            : null;
        return way with { Container = where };
    }

    private static UploadDestination FromEnvironment(Func<string, string?> variable) =>
        Set(variable(ConnectionStringVariable)) is { } connectionString
            ? new UploadDestination(new Given(connectionString, ConnectionStringVariable), null, null, null)
        : Set(variable(BlobEndpointVariable)) is { } endpoint
            ? new UploadDestination(null, null, new Given(endpoint, BlobEndpointVariable), null)
        : Set(variable(AccountNameVariable)) is { } account
            ? new UploadDestination(null, null, new Given(BlobEndpointOf(account), AccountNameVariable), null)
        : new UploadDestination(null, null, null, null);

    // The public cloud's blob endpoint of an account; another cloud's comes whole in AZURE_STORAGE_BLOB_ENDPOINT.
    private static string BlobEndpointOf(string account) =>
        AccountName().IsMatch(account)
            ? $"https://{account}.blob.core.windows.net/"
            : throw new UsageException(
                $"{AccountNameVariable} is not a storage account's name (3 to 24 lowercase letters and digits): refused, nothing was sent; or set {BlobEndpointVariable}.");

    private static string? Set(string? value) => string.IsNullOrEmpty(value) ? null : value;

    [GeneratedRegex("^[a-z0-9]{3,24}$")]
    private static partial Regex AccountName();
}
