namespace FanOut.Core.Readiness;

/// <summary>One storage check's finding.</summary>
/// <param name="State">Ready, or why not.</param>
/// <param name="Setting">The setting in use, by the name an operator sets it under; never its value.</param>
/// <param name="Detail">What went wrong, in words safe to answer to any caller (no value, no URL, no exception text).</param>
/// <param name="Reason">What the storage or the SDK said, for the log.</param>
internal sealed record StorageVerdict(StorageState State, string Setting, string Detail, string Reason)
{
    /// <summary>The storage works.</summary>
    public static StorageVerdict Ready(string setting) => new(StorageState.Ready, setting, "works", "");
}
