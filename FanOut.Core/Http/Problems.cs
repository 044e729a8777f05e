using FanOut.Core.Contracts;
using FanOut.Core.Outcomes;
using FanOut.Core.Requests;

namespace FanOut.Core.Http;

/// <summary>The RFC 9457 problem of each kind of refusal: one place, so that types, titles and statuses stay fixed.</summary>
internal static class Problems
{
    /// <summary>The problem body of a refusal.</summary>
    public static ProblemDetails Of(Refusal refusal)
    {
        var (type, title, status) = refusal.Kind switch
        {
            RefusalKind.Invalid => ("validation", "The request is not valid.", 400),
            RefusalKind.MalformedJson => ("malformed-json", "The request body is not valid JSON.", 400),
            RefusalKind.TooLarge => ("too-large", "The request body is too large.", 413),
            RefusalKind.UnknownJob => ("unknown-job", "No such job.", 404),
            RefusalKind.JobIdReused => ("job-id-reused", "The job id is taken by a different request.", 409),
            RefusalKind.Unavailable => ("unavailable", "A dependency is unavailable; try again.", 503),
            RefusalKind.InstanceBusy => ("instance-busy", "This instance is busy; try again.", 503),
            RefusalKind.DispatchFailed => ("dispatch-failed", "The job could not be run now; it is stored, resume it later.", 503),
            RefusalKind.SourceNotFound => ("source-not-found", "The source blob does not exist.", 404),
            RefusalKind.SourceChanged => ("source-changed", "The source blob changed while it was read.", 412),
            RefusalKind.Unsigned => ("unsigned", "Signature required.", 401),
            RefusalKind.BadSignature => ("bad-signature", "Signature refused.", 403),
            RefusalKind.LoopDetected => ("loop-detected", "Recursion depth exceeded.", 508),
            RefusalKind.Throttled => ("throttled", "A downstream service is throttling the processor; try again later.", 429),
            RefusalKind.AlreadyEnded => ("job-ended", "The job has ended.", 409),
            RefusalKind.JobRunning => ("job-running", "The job is running.", 409),
            RefusalKind.BeingPurged => ("job-purging", "The job is being deleted.", 409),
            // Final, not retried: a later attempt would be later still.
            RefusalKind.Late => ("late", "The call came after its sender's deadline.", 410),
            _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal.Kind, "Unknown refusal."),
        };
        // Whatever a refusal echoed from the request, the detail stays within its size (the errors are bounded by FieldErrors).
        return new ProblemDetails($"urn:fanout:problem:{type}", title, status, ProblemText.Clip(refusal.Detail, ProblemText.MaxDetailBytes), refusal.Errors);
    }

    /// <summary>The problem of an invocation that ended in an exception nothing handled: the cause is in the log, under
    /// the invocation's id, which the answer carries so that the caller can find it.</summary>
    public static ProblemDetails Unhandled(string invocationId) =>
        new("urn:fanout:problem:internal-error", "The function failed unexpectedly.", 500,
            $"Invocation {invocationId} failed; the app's log has the cause under that id.") { InvocationId = invocationId };

    /// <summary>The problem of an invocation that ran past the host's functionTimeout and was cancelled.</summary>
    public static ProblemDetails TimedOut(string invocationId, TimeSpan limit) =>
        new("urn:fanout:problem:timed-out", "The function ran past the host's time limit.", 500,
            $"Invocation {invocationId} ran past host.json's functionTimeout ({limit}) and was cancelled.") { InvocationId = invocationId };

    /// <summary>The problem of an invocation its host cancelled (its caller went away, or the host is stopping).</summary>
    public static ProblemDetails Cancelled(string invocationId) =>
        new("urn:fanout:problem:cancelled", "The invocation was cancelled.", 503,
            $"Invocation {invocationId} was cancelled by its host (its caller went away, or the host is stopping); try again.") { InvocationId = invocationId };

    /// <summary>The problem of a request that reached a host whose worker is not serving (still starting, or gone).</summary>
    public static ProblemDetails WorkerUnavailable() =>
        new("urn:fanout:problem:worker-unavailable", "The function host's worker is not serving yet; try again.", 503,
            "The worker process that runs the functions is starting (or restarting).");

    /// <summary>The problem of every request while a secret setting is an unresolved Key Vault reference: it names the
    /// settings (never their values) and the role the app's identity needs on the vault.</summary>
    /// <param name="settings">The settings' names, as an operator sets them.</param>
    /// <param name="role">The role to grant.</param>
    public static ProblemDetails SecretsUnresolved(IReadOnlyList<string> settings, string role)
    {
        var named = string.Join(", ", settings);
        var why = $"is an unresolved Key Vault reference: grant the app's managed identity the role '{role}' on the vault it names";
        return new("urn:fanout:problem:secret-unresolved", "A secret setting is an unresolved Key Vault reference; the app takes no jobs.", 503,
            $"{named} {(settings.Count == 1 ? "is an unresolved Key Vault reference" : "are unresolved Key Vault references")}: the app was given the "
            + $"reference's text, not the secret, and would sign and authenticate its calls with it. Grant the app's managed identity the role "
            + $"'{role}' on the vault (a role assignment can take minutes to apply), then restart the app so that the platform resolves the "
            + "reference again. Until then every request is refused and nothing is written.",
            settings.ToDictionary(setting => setting, _ => new[] { why }, StringComparer.Ordinal));
    }

    /// <summary>The problem of every request while the storage check fails: it names the setting, never its value.</summary>
    /// <param name="refused">True when the storage refused the setting (an operator must fix it), false when it could not be reached.</param>
    /// <param name="setting">The setting's name.</param>
    /// <param name="detail">What went wrong, in words safe to answer.</param>
    /// <param name="recheck">How soon, at the earliest, the setting is tried again.</param>
    public static ProblemDetails StorageNotReady(bool refused, string setting, string detail, TimeSpan recheck) => refused
        ? new("urn:fanout:problem:storage-misconfigured", "The app's storage setting does not work.", 503,
            $"{setting}: {detail}. Fix the setting: until it works every request is refused (it is tried again at most every {recheck.TotalSeconds:F0} s).")
        : new("urn:fanout:problem:storage-unreachable", "The app's storage cannot be reached; try again.", 503,
            $"{setting}: {detail}.");
}
