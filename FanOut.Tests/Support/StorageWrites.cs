using Azure.Core;
using Azure.Core.Pipeline;

namespace FanOut.Tests.Support;

/// <summary>A Blob Storage pipeline policy that counts the requests that would change a blob (any method but
/// GET and HEAD on a blob's path; container-level calls such as creating the container are not counted).</summary>
internal sealed class StorageWrites : HttpPipelineSynchronousPolicy
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public override void OnSendingRequest(HttpMessage message)
    {
        var method = message.Request.Method;
        var onBlob = message.Request.Uri.Path.Trim('/').Split('/').Length > 2;   // account/container/blob...
        if (onBlob && method != RequestMethod.Get && method != RequestMethod.Head)
        {
            Interlocked.Increment(ref _count);
        }
    }
}
