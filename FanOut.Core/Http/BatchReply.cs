using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Contracts;

namespace FanOut.Core.Http;

/// <summary>What the batch endpoint answers, independent of the host that carries it:
/// a status, a JSON body and its content type, and any extra headers.</summary>
public sealed record BatchReply(int StatusCode, string ContentType, byte[] Body)
{
    /// <summary>Extra response headers (Location, Retry-After).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>A JSON answer.</summary>
    internal static BatchReply Json<T>(int statusCode, T value, JsonTypeInfo<T> typeInfo) =>
        new(statusCode, "application/json; charset=utf-8", Serialize(value, typeInfo));

    internal static BatchReply Json(int statusCode, object value, JsonTypeInfo typeInfo) =>
        new(statusCode, "application/json; charset=utf-8", Serialize(writer => JsonSerializer.Serialize(writer, value, typeInfo)));

    /// <summary>An RFC 9457 problem answer.</summary>
    internal static BatchReply Problem(ProblemDetails problem) =>
        new(problem.Status, "application/problem+json; charset=utf-8", Serialize(problem, FanOutJsonContext.Default.ProblemDetails));

    // Answers are JSON for programs and terminals, never HTML, so quotes and non-ASCII text stay readable
    // ("Unknown action 'x'" rather than "Unknown action \u0027x\u0027").
    private static readonly JsonWriterOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo) => Serialize(writer => JsonSerializer.Serialize(writer, value, typeInfo));

    private static byte[] Serialize(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, Readable))
        {
            write(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
