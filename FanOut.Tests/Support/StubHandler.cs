namespace FanOut.Tests.Support;

/// <summary>The primary handler of a typed client in unit tests: answers each attempt from a script.</summary>
internal sealed class StubHandler(Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer)
    : HttpMessageHandler
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public StubHandler(Func<int, HttpResponseMessage> answer)
        : this((call, _, _) => Task.FromResult(answer(call)))
    {
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        answer(Interlocked.Increment(ref _calls), request, cancellationToken);
}
