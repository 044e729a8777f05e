using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FanOut.Functions;

/// <summary>The HTTP side of an invocation, as a middleware reaches it: its request, and the answer it leaves. The
/// worker keeps both in binding features internal to it, so a unit test of a middleware gives one of its own.</summary>
internal class FunctionHttp
{
    /// <summary>The worker's own.</summary>
    public static readonly FunctionHttp Worker = new();

    /// <summary>The invocation's request; null when it is not an HTTP invocation.</summary>
    public virtual ValueTask<HttpRequestData?> RequestAsync(FunctionContext context) => context.GetHttpRequestDataAsync();

    /// <summary>Makes <paramref name="response"/> the invocation's answer.</summary>
    public virtual void Answer(FunctionContext context, HttpResponseData response) => context.GetInvocationResult().Value = response;
}
