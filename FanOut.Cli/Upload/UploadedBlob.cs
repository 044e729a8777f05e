namespace FanOut.Cli.Upload;

/// <summary>What <c>fanout upload</c> prints: the blob a job's <c>--source container/blob</c> names.</summary>
internal sealed record UploadedBlob(string Container, string Blob, long Bytes, string ETag);
