namespace FanOut.Core.Dispatch;

/// <summary>How a self-call ended after its last attempt: the answer's status and body, or the error
/// that prevented one (StatusCode 0).</summary>
public sealed record SelfCallResult(int StatusCode, byte[] Body, int Attempts, string? Error = null)
{
    /// <summary>True for a 2xx answer.</summary>
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}
