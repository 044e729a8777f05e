using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FanOut.Core.Telemetry;

/// <summary>FanOut's OpenTelemetry instruments: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both
/// named <see cref="Name"/>. Static, as the .NET APIs intend: with no listener (no exporter configured) a span is
/// never created and a measurement costs a check.</summary>
internal static class FanOutTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "FanOut";

    /// <summary>Tag: the job a span or measurement belongs to (spans only: a job id on a metric would make one series per job).</summary>
    public const string JobTag = "fanout.job_id";

    /// <summary>Tag: a chunk's index.</summary>
    public const string ChunkTag = "fanout.chunk";

    /// <summary>Tag: the internal action of a self-call (process_chunk, dispatch, count_quotes).</summary>
    public const string ActionTag = "fanout.action";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Chunks whose result was committed, as their dispatchers saw them end.</summary>
    public static readonly Counter<long> ChunksSucceeded =
        Meter.CreateCounter<long>("fanout.chunks.succeeded", "{chunk}", "Chunks that ended with a committed result.");

    /// <summary>Chunks that failed for good (their failure recorded).</summary>
    public static readonly Counter<long> ChunksFailed =
        Meter.CreateCounter<long>("fanout.chunks.failed", "{chunk}", "Chunks that failed for good.");

    /// <summary>Every HTTP attempt of a self-call, the first one and each retry.</summary>
    public static readonly Counter<long> SelfCallAttempts =
        Meter.CreateCounter<long>("fanout.selfcall.attempts", "{attempt}", "HTTP attempts of the app's calls to itself.");

    /// <summary>Attempts of a self-call after its first (retries by the self-call policy).</summary>
    public static readonly Counter<long> SelfCallRetries =
        Meter.CreateCounter<long>("fanout.selfcall.retries", "{retry}", "Self-call attempts retried after a transient failure.");

    /// <summary>Job pauses: a self-call answered 429 (or 503 with Retry-After) that made the job hold back.</summary>
    public static readonly Counter<long> Pauses =
        Meter.CreateCounter<long>("fanout.pauses", "{pause}", "Self-calls answered 429 (or 503 with Retry-After), pausing their job.");

    /// <summary>Chunks being processed right now on this instance.</summary>
    public static readonly UpDownCounter<long> ChunksInFlight =
        Meter.CreateUpDownCounter<long>("fanout.chunks.in_flight", "{chunk}", "Chunks being processed.");

    /// <summary>Tag: what a failed span failed with, as OpenTelemetry's semantic conventions name it: a short code
    /// (an HTTP status, a refusal's kind) or an exception's full type name.</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>The bucket boundaries of every duration histogram, in seconds, from 1 ms to 5 min. OpenTelemetry's
    /// default boundaries are for milliseconds (0, 5, 10, 25, … 10000): a duration in seconds would put every
    /// measurement under 5 s in one bucket.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    /// <summary>How long committing a chunk's result to the ledger took.</summary>
    public static readonly Histogram<double> CommitDuration =
        Duration("fanout.commit.duration", "Time to commit a chunk's result to Blob Storage.");

    /// <summary>Starts a span of FanOut's (null when nothing listens), tagged with its job when known.</summary>
    public static Activity? Start(string name, string? jobId = null, ActivityKind kind = ActivityKind.Internal)
    {
        var activity = Source.StartActivity(name, kind);
        if (activity is not null && jobId is not null)
        {
            activity.SetTag(JobTag, jobId);
        }
        return activity;
    }

    /// <summary>Marks a span failed (status Error with <paramref name="description"/>) and tags what it failed with
    /// (<see cref="ErrorTypeTag"/>); nothing when there is no span.</summary>
    public static void Fail(Activity? activity, string errorType, string? description = null)
    {
        activity?.SetStatus(ActivityStatusCode.Error, description).SetTag(ErrorTypeTag, errorType);
    }

    /// <summary>Marks a span failed by <paramref name="exception"/>: its full type name is the error type, and the
    /// exception is recorded on the span as an event.</summary>
    public static void Fail(Activity? activity, Exception exception)
    {
        activity?.AddException(exception);
        Fail(activity, exception.GetType().FullName ?? exception.GetType().Name, exception.Message);
    }

    // A histogram of durations in seconds, with DurationBuckets as its advice: an exporter's own view may still change
    // them, and none of FanOut's does.
    private static Histogram<double> Duration(string name, string description) =>
        Meter.CreateHistogram<double>(name, "s", description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
}
