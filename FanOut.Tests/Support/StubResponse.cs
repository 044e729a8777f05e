using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;

namespace FanOut.Tests.Support;

/// <summary>The raw response behind an in-memory Blob Storage answer: a status and nothing else.</summary>
internal sealed class StubResponse(int status) : Response
{
    public override int Status => status;

    public override string ReasonPhrase => "";

    public override Stream? ContentStream { get; set; }

    public override string ClientRequestId { get; set; } = "";

    public override void Dispose()
    {
    }

    protected override bool ContainsHeader(string name) => false;

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
    {
        value = null;
        return false;
    }

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        values = null;
        return false;
    }
}
