namespace FanOut.Core.Contracts;

/// <summary>The answer of <c>DELETE /api/batch/{jobId}</c>: the job is gone, and how many of its blobs this call removed.</summary>
internal sealed record PurgeAnswer(string JobId, int PurgedBlobs);
