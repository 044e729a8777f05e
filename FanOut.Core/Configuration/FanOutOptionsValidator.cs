using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Configuration;

/// <summary>Validates the options at start-up, nested sections included (DataAnnotations alone
/// checks only the top level), so that a bad setting stops the app with a message naming it.</summary>
internal sealed class FanOutOptionsValidator : IValidateOptions<FanOutOptions>
{
    public ValidateOptionsResult Validate(string? name, FanOutOptions options)
    {
        var failures = new List<string>();
        Check(options, "FanOut", failures);
        Check(options.Dispatch, "FanOut:Dispatch", failures);
        Check(options.Limits, "FanOut:Limits", failures);
        Check(options.Storage, "FanOut:Storage", failures);
        var dispatch = options.Dispatch;
        if (dispatch.AttemptTimeoutSeconds >= dispatch.HopDeadlineSeconds)
        {
            failures.Add($"FanOut:Dispatch:AttemptTimeoutSeconds ({dispatch.AttemptTimeoutSeconds}) must be below HopDeadlineSeconds ({dispatch.HopDeadlineSeconds}).");
        }
        if (options.SelfBaseUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            failures.Add("FanOut:SelfBaseUrl must be an absolute http(s) URL, e.g. http://localhost:7071.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(object section, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{path}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}
