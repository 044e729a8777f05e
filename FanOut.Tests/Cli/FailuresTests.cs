using System.Net.Sockets;
using System.Text.Json;
using Azure;
using Azure.Identity;
using FanOut.Cli;

namespace FanOut.Tests.Cli;

/// <summary>Every exception a command may throw (the CLI's own, HttpClient's, the storage SDK's and Azure.Identity's,
/// and one nobody expected) maps to a documented exit code and one line without a stack trace.</summary>
public sealed class FailuresTests
{
    private static readonly RequestFailedException Refused = new(403, "This request is not authorized.\nRequestId:1", "AuthorizationFailure", null);
    private static readonly RequestFailedException Unreached = new(0, "Connection refused (127.0.0.1:9)", new HttpRequestException("Connection refused (127.0.0.1:9)", new SocketException(111)));

    public static TheoryData<Exception, bool, int, string> Cases => new()
    {
        { new UsageException("--url must be an absolute http(s) URL."), false, ExitCodes.Refused, "--url must be an absolute http(s) URL." },
        { new OperationCanceledException(), true, ExitCodes.GaveUp, "Interrupted: stopped waiting; a job already started goes on (fanout status <jobId>)." },
        { new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40."), false, ExitCodes.Unreachable, "The storage did not answer in time: The operation was cancelled because it exceeded the configured timeout of 0:01:40." },
        { new AggregateException("Retry failed after 6 tries.", Unreached, Unreached), false, ExitCodes.Unreachable, "Cannot reach the storage: Connection refused (127.0.0.1:9)" },
        { new AggregateException("Retry failed after 2 tries.", Unreached, Refused), false, ExitCodes.Refused, "The storage refused the upload (403 AuthorizationFailure)." },
        { Unreached, false, ExitCodes.Unreachable, "Cannot reach the storage: Connection refused (127.0.0.1:9)" },
        { Refused, false, ExitCodes.Refused, "The storage refused the upload (403 AuthorizationFailure)." },
        { new RequestFailedException(503, "Server busy", "ServerBusy", null), false, ExitCodes.Unreachable, "The storage failed (503 ServerBusy) after every retry." },
        { new AuthenticationFailedException("DefaultAzureCredential failed to retrieve a token.\n- EnvironmentCredential ..."), false, ExitCodes.Refused, "No Azure identity to reach the storage with: DefaultAzureCredential failed to retrieve a token." },
        { new CredentialUnavailableException("No credential."), false, ExitCodes.Refused, "No Azure identity to reach the storage with: No credential." },
        { new HttpRequestException("Name or service not known (nowhere.invalid:443)"), false, ExitCodes.Unreachable, "Cannot reach the storage: Name or service not known (nowhere.invalid:443)" },
        { new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely."), false, ExitCodes.Unreachable, "Cannot reach the storage: The response ended prematurely. (ResponseEnded)" },
        { new TimeoutException("Timed out."), false, ExitCodes.Unreachable, "The storage did not answer in time: Timed out." },
        { new UnauthorizedAccessException("Access to the path '/data/f.txt' is denied."), false, ExitCodes.Refused, "Cannot read a file: Access to the path '/data/f.txt' is denied." },
        { new FormatException("No valid combination of account information found."), false, ExitCodes.Refused, "Refused: No valid combination of account information found." },
        { new ArgumentException("Value cannot be an empty string. (Parameter 'blobName')"), false, ExitCodes.Refused, "Refused: Value cannot be an empty string. (Parameter 'blobName')" },
        { new JsonException("'<' is an invalid start of a value."), false, ExitCodes.Refused, "Refused: '<' is an invalid start of a value." },
        { new NullReferenceException("Object reference not set to an instance of an object."), false, ExitCodes.Unreachable, "fanout failed unexpectedly (NullReferenceException): Object reference not set to an instance of an object." },
        { new InvalidOperationException(""), false, ExitCodes.Unreachable, "fanout failed unexpectedly (InvalidOperationException): InvalidOperationException" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Of_EachExceptionACommandMayThrow_MapsToADocumentedExitCode_InOneLine(Exception failure, bool interrupted, int exitCode, string line)
    {
        var (code, said) = Failures.Of(failure, interrupted, "the storage");

        Assert.Equal((exitCode, line), (code, said));
        Assert.DoesNotContain('\n', said);
    }
}
