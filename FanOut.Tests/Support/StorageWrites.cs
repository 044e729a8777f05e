using Azure.Core;
using Azure.Core.Pipeline;

namespace FanOut.Tests.Support;

/// <summary>A Blob Storage pipeline policy that counts the requests that would change a blob (any method but
/// GET and HEAD on a blob's path; container-level calls such as creating the container are not counted).</summary>
internal sealed class StorageWrites : HttpPipelineSynchronousPolicy
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Every host (and port) a storage request went to.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Authorities { get; } = new();

    public override void OnSendingRequest(HttpMessage message)
    {
        Authorities.AddOrUpdate(message.Request.Uri.Host + ":" + message.Request.Uri.Port, 1, (_, n) => n + 1);
        var method = message.Request.Method;
        var onBlob = message.Request.Uri.Path.Trim('/').Split('/').Length > 2;   // account/container/blob...
        if (onBlob && method != RequestMethod.Get && method != RequestMethod.Head)
        {
            Interlocked.Increment(ref _count);
        }
    }
}
