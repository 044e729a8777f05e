using System.CommandLine;
using System.Text.Json;
using FanOut.Cli.Api;
using FanOut.Cli.Output;
using FanOut.Cli.Upload;

namespace FanOut.Cli.Commands;

/// <summary><c>fanout upload &lt;file&gt;</c>: puts a file into an input container (replacing a blob of the same name, unless it
/// holds the same content) and prints where it is, for <c>fanout run --source container/blob</c>.</summary>
internal static class UploadCommand
{
    public static Command Create(CliConsole console, CliEnvironment environment)
    {
        var file = new Argument<FileInfo>("file") { Description = "The file to upload." };
        var container = new Option<string?>("--container") { Description = "The input container, one of the app's FanOut__Storage__InputContainers (default: FANOUT_INPUT_CONTAINER)." };
        var name = new Option<string?>("--name") { Description = "The blob's name (default: the file's name), e.g. data/2026-11-28/words.txt." };
        var connectionString = new Option<string?>("--connection-string") { Description = "The storage account's connection string (default: FANOUT_STORAGE_CONNECTION_STRING); never printed." };
        var sasUrl = new Option<string?>("--sas-url") { Description = "The container's URL with a SAS token that may write; never printed." };
        var accountUrl = new Option<string?>("--account-url") { Description = "The account's blob URL, e.g. https://myaccount.blob.core.windows.net, reached with your Azure identity (DefaultAzureCredential; default: AZURE_STORAGE_BLOB_ENDPOINT, or the blob URL of AZURE_STORAGE_ACCOUNT_NAME, as azd outputs them)." };
        var create = new Option<bool>("--create-container") { Description = "Create the container when it does not exist." };
        var command = new Command("upload", "Upload a file to an input container: exit 0 uploaded, 2 refused (no access, no container), 4 storage unreachable.")
        {
            file, container, name, connectionString, sasUrl, accountUrl, create,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var source = parsed.GetValue(file)!;
            var destination = UploadDestination.Of(
                parsed.GetValue(connectionString), parsed.GetValue(sasUrl), parsed.GetValue(accountUrl), parsed.GetValue(container), environment.Variable);
            var target = UploadTarget.Container(destination);
            return await UploadAsync(source, target, parsed.GetValue(name) ?? source.Name, parsed.GetValue(create), console, cancellationToken);
        });
        return command;
    }

    private static async Task<int> UploadAsync(
        FileInfo file, Azure.Storage.Blobs.BlobContainerClient container, string name, bool create, CliConsole console, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new UsageException($"No file {file.FullName}.");
        }
        // A refusal or an outage of the storage (RequestFailedException, AuthenticationFailedException, the SDK's
        // AggregateException after its retries) is told by CliApp in one line (Failures).
        var (blob, unchanged) = await BlobUploader.UploadAsync(file, container, name, create, cancellationToken);
        console.Answer(JsonSerializer.Serialize(blob, CliJsonContext.Default.UploadedBlob));
        console.Say(unchanged
            ? $"{container.Name}/{name} already holds {file.Name} (the same MD5): left as it is."
            : $"Uploaded {file.Name} ({file.Length:N0} bytes) to {container.Name}/{name}.");
        return ExitCodes.Succeeded;
    }
}
