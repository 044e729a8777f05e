namespace FanOut.Core.Dispatch;

/// <summary>One internal call to make: its body, its key in logs, and its own attempt time limit if it has one.</summary>
internal readonly record struct SelfCall(byte[] Body, string OperationKey, TimeSpan? AttemptTimeout = null);
