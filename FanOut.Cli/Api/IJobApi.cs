using System.Text.Json.Nodes;

namespace FanOut.Cli.Api;

/// <summary>The calls the CLI makes to a FanOut app's <c>/api/batch</c>.</summary>
internal interface IJobApi
{
    /// <summary>POSTs a <c>start_fanout</c> request.</summary>
    Task<ApiAnswer> StartAsync(JsonObject request, CancellationToken cancellationToken = default);

    /// <summary>GETs a job's status.</summary>
    Task<ApiAnswer> StatusAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>POSTs <c>resume</c> for a job, waiting up to <paramref name="waitSeconds"/> for it.</summary>
    Task<ApiAnswer> ResumeAsync(string jobId, int waitSeconds, CancellationToken cancellationToken = default);

    /// <summary>POSTs <c>cancel</c> for a job, waiting up to <paramref name="waitSeconds"/> for it to end Cancelled.</summary>
    Task<ApiAnswer> CancelAsync(string jobId, int waitSeconds, CancellationToken cancellationToken = default);

    /// <summary>POSTs <c>update</c> for a job: its new concurrency level.</summary>
    Task<ApiAnswer> UpdateAsync(string jobId, int maxConcurrency, CancellationToken cancellationToken = default);
}
