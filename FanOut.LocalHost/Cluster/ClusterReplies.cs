using System.Text.Json;
using FanOut.Contracts;
using FanOut.Core.Http;

namespace FanOut.LocalHost.Cluster;

/// <summary>What the front answers on its own for the cluster, as problem+json of the same shape as the app's.</summary>
internal static class ClusterReplies
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>429 with Retry-After: no instance had a free slot, and the front's queue was full or the request waited
    /// its bound in it, as Flex's front end answers when every instance is busy.</summary>
    public static BatchReply Busy(int queueCapacity, TimeSpan queueTimeout)
    {
        var detail = $"Every instance is running as many invocations as it may; the front holds at most {queueCapacity} requests waiting, each at most {queueTimeout.TotalSeconds:0.###} s.";
        var problem = new ProblemDetails("urn:fanout:problem:instances-busy", "Every instance is busy; try again.", 429, detail);
        return new BatchReply(429, "application/problem+json; charset=utf-8", JsonSerializer.SerializeToUtf8Bytes(problem, Web))
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
        };
    }
}
