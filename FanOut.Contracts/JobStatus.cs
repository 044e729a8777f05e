using System.Text.Json.Serialization;

namespace FanOut.Contracts;

/// <summary>The states of a job, written as their names (<c>"Succeeded"</c>), as the API always answered them.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobStatus>))]
public enum JobStatus
{
    /// <summary>Accepted, no chunk finished yet.</summary>
    Pending,

    /// <summary>Some chunks finished, others not.</summary>
    Running,

    /// <summary>Every chunk finished, failures within tolerance.</summary>
    Succeeded,

    /// <summary>Every chunk finished, failures beyond tolerance.</summary>
    Failed,

    /// <summary>A run ended (its deadline passed) with chunks not seen to an end; resume finishes them.</summary>
    Incomplete,

    /// <summary>Stopped by a cancel: the chunks in flight then finished, the others are pending; resume runs them.</summary>
    Cancelled,
}
