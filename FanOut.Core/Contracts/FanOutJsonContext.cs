using System.Text.Json;
using System.Text.Json.Serialization;

namespace FanOut.Core.Contracts;

/// <summary>Source-generated JSON of the wire models: the API's and the internal calls' (camelCase, nulls left out).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(StartFanoutRequest))]
[JsonSerializable(typeof(ProcessChunkRequest))]
[JsonSerializable(typeof(ChunkResult))]
[JsonSerializable(typeof(JobResult))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(QuoteCount))]
[JsonSerializable(typeof(CountQuotesRequest))]
[JsonSerializable(typeof(ResumeRequest))]
[JsonSerializable(typeof(UpdateRequest))]
[JsonSerializable(typeof(PurgeAnswer))]
[JsonSerializable(typeof(JobList))]
[JsonSerializable(typeof(NotifyRequest))]
[JsonSerializable(typeof(ChunkFailure))]
[JsonSerializable(typeof(SourceReference))]
[JsonSerializable(typeof(JobPlan))]
[JsonSerializable(typeof(EstimateRequest))]
internal sealed partial class FanOutJsonContext : JsonSerializerContext;
