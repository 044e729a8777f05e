using System.Buffers;
using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;

namespace FanOut.Core.Runs;

/// <summary>The bodies of internal calls, written straight from parsed JSON without copies.</summary>
internal static class ChunkBodies
{
    /// <summary>The <c>process_chunk</c> body of one chunk of a stored job: the byte range it reads, the run that sends it,
    /// and its sender's <paramref name="deadline"/>, after which the chunk is not processed.</summary>
    public static byte[] ProcessChunk(JobManifest manifest, int index, SourceReference source, int depth, string runId, DateTimeOffset deadline) =>
        Write(json =>
        {
            Common(json, manifest, index, depth);
            json.WriteString("runId", runId);
            json.WriteString("deadline", deadline);
            json.WritePropertyName("source");
            JsonSerializer.Serialize(json, source, FanOutJsonContext.Default.SourceReference);
        });

    /// <summary>The <c>process_chunk</c> body of one chunk of a stored job that carries the chunk's items: its stored
    /// lines (<see cref="Sources.ItemLines"/>, one item's compact JSON text per line, each line ending with a newline),
    /// written as the <c>items</c> array unchanged; with the run that sends it and its sender's deadline, as above.</summary>
    public static byte[] ProcessChunk(JobManifest manifest, int index, ReadOnlySpan<byte> lines, int depth, string runId, DateTimeOffset deadline)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + lines.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            Common(json, manifest, index, depth);
            json.WriteString("runId", runId);
            json.WriteString("deadline", deadline);
            json.WriteStartArray("items");
            for (var rest = lines; !rest.IsEmpty;)
            {
                var end = rest.IndexOf((byte)'\n');
                // The stored lines were written by the app as compact JSON values: no need to check them again.
                json.WriteRawValue(rest[..end], skipInputValidation: true);
                rest = rest[(end + 1)..];
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The <c>count_quotes</c> body of one byte range of a stored job's CSV source.</summary>
    public static byte[] CountQuotes(JobManifest manifest, int index, SourceReference source, int depth) =>
        Write(json =>
        {
            json.WriteString("action", BatchActions.CountQuotes);
            json.WriteString("jobId", manifest.JobId);
            json.WriteNumber("chunk", index);
            json.WriteNumber("depth", depth);
            json.WritePropertyName("source");
            JsonSerializer.Serialize(json, source, FanOutJsonContext.Default.SourceReference);
        });

    /// <summary>The <c>dispatch</c> body that hands a stored job to another invocation: the top of its tree,
    /// hop <paramref name="hop"/> of its chain, taking over from <paramref name="predecessor"/> if there is one.</summary>
    public static byte[] Dispatch(string jobId, string runId, TimeSpan budget, int hop = 1, string? predecessor = null) =>
        Write(json =>
        {
            json.WriteString("action", BatchActions.Dispatch);
            json.WriteString("jobId", jobId);
            json.WriteString("runId", runId);
            json.WriteNumber("depth", 1);
            if (hop > 1)
            {
                json.WriteNumber("hop", hop);
                json.WriteString("predecessor", predecessor);
            }
            json.WriteNumber("budgetMs", (int)budget.TotalMilliseconds);
        });

    /// <summary>The <c>dispatch</c> body of a sub-range of a job: a node of its tree, in the named pass, which must
    /// answer within <paramref name="budget"/> and by <paramref name="deadline"/>.</summary>
    public static byte[] Subtree(string jobId, NodeWork work, string pass, TimeSpan budget, DateTimeOffset deadline) =>
        Write(json =>
        {
            json.WriteString("action", BatchActions.Dispatch);
            json.WriteString("jobId", jobId);
            json.WriteString("runId", work.RunId);
            json.WriteNumber("depth", work.Depth);
            json.WriteNumber("first", work.Span.First);
            json.WriteNumber("count", work.Span.Count);
            json.WriteStartArray("pending");
            foreach (var run in work.Pending)
            {
                json.WriteStartArray();
                json.WriteNumberValue(run.First);
                json.WriteNumberValue(run.Count);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            if (work.Marks is not null)
            {
                json.WriteString("marks", work.Marks);
            }
            json.WriteString("pass", pass);
            json.WriteNumber("slots", work.Slots);
            json.WriteNumber("budgetMs", Math.Max(1, (int)budget.TotalMilliseconds));
            json.WriteString("deadline", deadline);
        });

    private static void Common(Utf8JsonWriter json, JobManifest manifest, int index, int depth)
    {
        json.WriteString("action", BatchActions.ProcessChunk);
        json.WriteString("jobId", manifest.JobId);
        json.WriteNumber("chunk", index);
        json.WriteString("processor", manifest.Processor);
        json.WriteNumber("depth", depth);
        if (manifest.Options is { ValueKind: not JsonValueKind.Null } options)
        {
            json.WritePropertyName("options");
            options.WriteTo(json);
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
