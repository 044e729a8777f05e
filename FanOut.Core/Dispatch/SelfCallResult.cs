using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Contracts;

namespace FanOut.Core.Dispatch;

/// <summary>How a self-call ended after its last attempt: the answer's status and body, or the error
/// that prevented one (StatusCode 0).</summary>
internal sealed record SelfCallResult(int StatusCode, byte[] Body, int Attempts, string? Error = null)
{
    /// <summary>True for a 2xx answer.</summary>
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>True when the call was answered at all (whatever the answer), false when no answer came.</summary>
    public bool WasAnswered => StatusCode != 0;

    /// <summary>True when the call was read after its sender's deadline and refused unprocessed (<c>RefusalKind.Late</c>).</summary>
    public bool CameLate => StatusCode == 410;

    /// <summary>The answer read as <typeparamref name="T"/>, or null with why not: the transport error, the
    /// problem's detail of an error status, or a body that is not the expected JSON.</summary>
    internal T? Read<T>(JsonTypeInfo<T> typeInfo, out string? error) where T : class
    {
        error = Error;
        if (error is not null)
        {
            return null;
        }
        try
        {
            if (IsSuccess)
            {
                var answer = JsonSerializer.Deserialize(Body, typeInfo);
                error = answer is null ? "Empty answer." : null;
                return answer;
            }
            error = $"HTTP {StatusCode}: {JsonSerializer.Deserialize(Body, FanOutJsonContext.Default.ProblemDetails)?.Detail}";
        }
        catch (JsonException)
        {
            error = $"HTTP {StatusCode} with a body that is not the expected JSON.";
        }
        return null;
    }
}
