namespace FanOut.Core.Readiness;

/// <summary>What the start-up check found of the app's storage.</summary>
internal enum StorageState
{
    /// <summary>The account answered an authenticated call: the credentials work.</summary>
    Ready,
    /// <summary>The setting cannot work as it is (credentials refused, not a connection string, no token): an
    /// operator must fix it.</summary>
    Misconfigured,
    /// <summary>The storage could not be reached (network, timeout, server error): it may come back by itself.</summary>
    Unreachable,
}
