using System.Text.Json;

namespace FanOut.Core.Security;

/// <summary>What a signature names of a call besides its body's hash: the action, the job and the depth,
/// read from the body's top level (absent ones are empty, or depth 0).</summary>
internal readonly record struct CallEnvelope(string Action, string JobId, long Depth)
{
    /// <summary>Reads the envelope off the top level of a JSON object body; stops once it has all three,
    /// which internal bodies write first. A body that is not a JSON object gives an empty envelope.</summary>
    public static CallEnvelope Read(ReadOnlySpan<byte> body)
    {
        var (action, jobId, depth, found) = ("", "", 0L, 0);
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return new CallEnvelope("", "", 0);
            }
            while (found < 3 && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueTextEquals("action"u8) ? 1 : reader.ValueTextEquals("jobId"u8) ? 2 : reader.ValueTextEquals("depth"u8) ? 3 : 0;
                reader.Read();
                switch (name)
                {
                    case 1 when reader.TokenType == JsonTokenType.String:
                        (action, found) = (reader.GetString()!, found + 1);
                        break;
                    case 2 when reader.TokenType == JsonTokenType.String:
                        (jobId, found) = (reader.GetString()!, found + 1);
                        break;
                    case 3 when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value):
                        (depth, found) = (value, found + 1);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // The hash of the body still covers it; a malformed body is refused by the parser anyway.
        }
        return new CallEnvelope(action, jobId, depth);
    }
}
