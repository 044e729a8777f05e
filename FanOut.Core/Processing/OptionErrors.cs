using FanOut.Core.Requests;

namespace FanOut.Core.Processing;

/// <summary>Where a processor's validation reports what is wrong with the request's options. Any error makes the
/// request a 400 that lists it under <c>options.{field}</c>.</summary>
public sealed class OptionErrors
{
    internal const string Prefix = "options.";

    private readonly FieldErrors _errors;

    internal OptionErrors(FieldErrors errors) => _errors = errors;

    /// <summary>Records <paramref name="message"/> against <c>options.{field}</c>.</summary>
    /// <param name="field">The option as the request spells it (camelCase), e.g. <c>top</c> or <c>where</c>.</param>
    /// <param name="message">What is wrong and what would be right, e.g. "Must be between 0 and 10000."</param>
    public void Add(string field, string message) => _errors.Add(Prefix + field, message);
}
