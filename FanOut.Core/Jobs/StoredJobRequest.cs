using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Outcomes;
using FanOut.Core.Requests;

namespace FanOut.Core.Jobs;

/// <summary>The body of an action on a stored job (<c>resume</c>, <c>cancel</c>): <c>jobId</c> and <c>waitSeconds</c>, checked,
/// and the job's manifest.</summary>
internal static class StoredJobRequest
{
    /// <summary>The request and its job's manifest, or why not: 400 for a bad field, 404 for an unknown job.</summary>
    public static async Task<(ResumeRequest? Request, JobManifest? Manifest, Refusal? Refusal)> ReadAsync(
        JsonElement body, string doing, IJobStore jobStore, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var request = JsonRequest.Read(body, FanOutJsonContext.Default.ResumeRequest, errors);
        if (request is not null && (request.JobId is null || !JobIds.IsValid(request.JobId)))
        {
            errors.Add("jobId", $"Required: the id of the job to {doing} (1 to 64 of A-Z, a-z, 0-9, '_', '-').");
        }
        StartFanoutValidator.ValidateWaitSeconds(request?.WaitSeconds, errors);
        if (!errors.IsEmpty)
        {
            return (null, null, Refusal.Invalid(errors));
        }
        var manifest = await jobStore.GetManifestAsync(request!.JobId!, cancellationToken).ConfigureAwait(false);
        return manifest is null ? (null, null, Refusal.UnknownJob(request.JobId!)) : (request, manifest, null);
    }
}
