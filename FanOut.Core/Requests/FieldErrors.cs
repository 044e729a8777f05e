namespace FanOut.Core.Requests;

/// <summary>Validation messages collected per request field, in the order found, within fixed bounds: at most
/// <see cref="MaxFields"/> fields and <see cref="MaxMessagesPerField"/> messages each, every name and message cut
/// by <see cref="ProblemText"/>; what does not fit is counted, and the summary says how many more there were. So
/// a body of a million bad fields costs a problem of a few kilobytes, not of hundreds of megabytes.</summary>
internal sealed class FieldErrors
{
    /// <summary>Most fields listed.</summary>
    public const int MaxFields = 20;

    /// <summary>Most messages listed per field.</summary>
    public const int MaxMessagesPerField = 2;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
    private long _unlisted;

    /// <summary>True when nothing was found wrong.</summary>
    public bool IsEmpty => _errors.Count == 0;

    /// <summary>Whether a message about <paramref name="field"/> would be listed: false once the list is full, so
    /// that a caller can spare the work of a message nobody will read (and <see cref="Add"/> only counts it).</summary>
    public bool Lists(string field) => _errors.Count < MaxFields || Names(field);

    /// <summary>Whether <paramref name="field"/> has a message already.</summary>
    public bool Names(string field) => _errors.ContainsKey(ProblemText.Clip(field, ProblemText.MaxNameBytes));

    /// <summary>Records a message against a field (the same message twice, once).</summary>
    public void Add(string field, string message)
    {
        field = ProblemText.Clip(field, ProblemText.MaxNameBytes);
        message = ProblemText.Clip(message, ProblemText.MaxMessageBytes);
        if (!_errors.TryGetValue(field, out var messages))
        {
            if (_errors.Count >= MaxFields)
            {
                _unlisted++;
                return;
            }
            _errors[field] = messages = [];
        }
        if (messages.Contains(message, StringComparer.Ordinal))
        {
            return;
        }
        if (messages.Count >= MaxMessagesPerField)
        {
            _unlisted++;
            return;
        }
        messages.Add(message);
    }

    /// <summary>The messages, as problem+json's <c>errors</c> member wants them.</summary>
    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>One line naming every field in error, for a problem's <c>detail</c>, and how many errors were not listed.</summary>
    public string Summary() => "Invalid field(s): " + string.Join(", ", _errors.Keys) + "."
        + (_unlisted > 0 ? $" And {_unlisted} more error(s), not listed." : "");
}
