using System.ComponentModel.DataAnnotations;

namespace FanOut.Core.Configuration;

/// <summary>The platform's invocation budget (<c>FanOut__Platform__*</c>): what Flex Consumption gives the app, so that a
/// job's tree and the callers that wait never need more invocations at once than the app has. The same numbers are
/// the infra template's parameters (<c>perInstanceConcurrency</c>, <c>maximumInstanceCount</c>) and FanOut.LocalHost's
/// flags (<c>--per-instance-concurrency</c>, <c>--instances</c>/<c>--max-instances</c>), which set these settings.</summary>
public sealed class PlatformOptions
{
    /// <summary>Flex's default HTTP concurrency per instance (for a 2,048 MB instance).</summary>
    public const int DefaultPerInstanceConcurrency = 16;

    /// <summary>Flex's default maximum instance count.</summary>
    public const int DefaultMaximumInstanceCount = 100;

    /// <summary>Concurrent HTTP invocations one instance runs at most (Flex's <c>perInstanceConcurrency</c>).</summary>
    [Range(1, 1000)]
    public int PerInstanceConcurrency { get; set; } = DefaultPerInstanceConcurrency;

    /// <summary>Instances the app runs on at most (Flex's <c>maximumInstanceCount</c>).</summary>
    [Range(1, 1000)]
    public int MaximumInstanceCount { get; set; } = DefaultMaximumInstanceCount;

    /// <summary>Callers one instance lets wait for a job at once (<c>waitSeconds</c> of start_fanout, resume, cancel):
    /// a quarter of its slots but one (16 slots: 3; 4 slots or fewer: none); the others are answered at once, so waiting
    /// never takes the slots the work needs, and an instance of 4 slots holds the deepest tree's path (a root, two levels
    /// of dispatchers and a chunk).</summary>
    public int WaitingCallersPerInstance => (PerInstanceConcurrency - 1) / 4;

    /// <summary>Invocations the app's jobs may hold open at once: every instance's slots but those its waiting callers
    /// may take.</summary>
    public long InvocationBudget => Math.Max(1L, (long)(PerInstanceConcurrency - WaitingCallersPerInstance) * MaximumInstanceCount);
}
