namespace FanOut.Core.Requests;

/// <summary>Validation messages collected per request field, in the order found.</summary>
internal sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    /// <summary>True when nothing was found wrong.</summary>
    public bool IsEmpty => _errors.Count == 0;

    /// <summary>Records a message against a field.</summary>
    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }
        messages.Add(message);
    }

    /// <summary>The messages, as problem+json's <c>errors</c> member wants them.</summary>
    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>One line naming every field in error, for a problem's <c>detail</c>.</summary>
    public string Summary() => "Invalid field(s): " + string.Join(", ", _errors.Keys) + ".";
}
