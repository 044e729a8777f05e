using System.Text.Json;
using System.Text.Json.Serialization;
using FanOut.Core.Contracts;

namespace FanOut.Core.Ledger;

/// <summary>Source-generated JSON of what the ledger stores (camelCase, nulls left out). The job's result and
/// its failures are stored as the status body answers them, so that a status read returns them as they are.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(JobManifest))]
[JsonSerializable(typeof(SourcePlan))]
[JsonSerializable(typeof(CommittedChunk))]
[JsonSerializable(typeof(ChunkFailure))]
[JsonSerializable(typeof(JobResult))]
[JsonSerializable(typeof(DispatchMarker))]
[JsonSerializable(typeof(JobPause))]
[JsonSerializable(typeof(JobCancel))]
[JsonSerializable(typeof(JobConcurrency))]
[JsonSerializable(typeof(JobNotice))]
[JsonSerializable(typeof(WatchdogResumes))]
[JsonSerializable(typeof(RunHandOver))]
[JsonSerializable(typeof(ProgressLine))]
internal sealed partial class LedgerJsonContext : JsonSerializerContext;
