using System.Text.Json;

namespace FanOut.Core.Contracts;

/// <summary>A value of the right JSON kind that the field does not allow (an enum's unknown name): its message is what
/// the request's problem says of the field.</summary>
internal sealed class WireValueException(string message) : JsonException(message);
