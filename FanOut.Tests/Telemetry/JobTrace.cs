namespace FanOut.Tests.Telemetry;

/// <summary>The spans of one job's trace, as an exporter sent them, and the checks every job's trace must pass: one
/// trace id, one <c>start_fanout</c> span, and every chunk span below it through its chain of parents.</summary>
internal sealed class JobTrace
{
    private readonly Dictionary<string, ReceivedSpan> _byId;

    public JobTrace(IEnumerable<ReceivedSpan> spans, string jobId)
    {
        // The job's own spans name it; the trace is the start span's.
        Start = Assert.Single(spans, s => s.Name == "start_fanout" && Equals(s.Attributes.GetValueOrDefault("fanout.job_id"), jobId));
        All = [.. spans.Where(s => s.TraceId == Start.TraceId)];
        Job = [.. spans.Where(s => Equals(s.Attributes.GetValueOrDefault("fanout.job_id"), jobId))];
        _byId = All.ToDictionary(s => s.SpanId, StringComparer.Ordinal);
    }

    /// <summary>The job's start span: the root of its trace as far as FanOut is concerned.</summary>
    public ReceivedSpan Start { get; }

    /// <summary>Every span of the start span's trace.</summary>
    public IReadOnlyList<ReceivedSpan> All { get; }

    /// <summary>Every span tagged with the job, whatever its trace.</summary>
    public IReadOnlyList<ReceivedSpan> Job { get; }

    /// <summary>The job's spans of one name.</summary>
    public IReadOnlyList<ReceivedSpan> Named(string name) => [.. Job.Where(s => s.Name == name)];

    /// <summary>Checks that every span of the job is in the start span's trace, and that each span of the job
    /// reaches the start span by its parents (so no hop of the self-calls broke the chain).</summary>
    public void AssertOneTree()
    {
        Assert.All(Job, span => Assert.Equal(Start.TraceId, span.TraceId));
        Assert.All(Job.Where(s => s != Start), span => Assert.True(Descends(span),
            $"{span.Name} {span.SpanId} does not reach start_fanout {Start.SpanId} through its parents: {Chain(span)}"));
    }

    private bool Descends(ReceivedSpan span)
    {
        for (var at = span; _byId.TryGetValue(at.ParentSpanId, out var parent); at = parent)
        {
            if (parent == Start)
            {
                return true;
            }
        }
        return false;
    }

    private string Chain(ReceivedSpan span)
    {
        var names = new List<string> { span.Name };
        for (var at = span; _byId.TryGetValue(at.ParentSpanId, out var parent) && names.Count < 64; at = parent)
        {
            names.Add($"{parent.Scope}/{parent.Name}");
        }
        return string.Join(" <- ", names) + $" <- (parent {span.ParentSpanId} not exported)";
    }
}
