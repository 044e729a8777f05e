using System.Buffers;
using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Http;

namespace FanOut.Core.Requests;

/// <summary>Reads a request body, within the size limit, into a JSON document.</summary>
internal static class RequestBody
{
    public static async Task<(JsonDocument? Document, ProblemDetails? Problem)> ParseAsync(
        Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return (null, Problems.TooLarge(maxBytes));
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        if (buffer.Length == 0)
        {
            return (null, Problems.MalformedJson("The body is empty; send a JSON object."));
        }
        try
        {
            var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, Problems.MalformedJson("The body must be a JSON object."));
            }
            return (document, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.MalformedJson(ex.Message));
        }
    }
}
