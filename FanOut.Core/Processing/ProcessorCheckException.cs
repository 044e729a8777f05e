namespace FanOut.Core.Processing;

/// <summary>A processor broke a rule the runtime relies on (e.g. a merge that depends on its grouping).</summary>
public sealed class ProcessorCheckException : Exception
{
    /// <summary>A processor broke a rule the runtime relies on.</summary>
    public ProcessorCheckException()
    {
    }

    /// <summary>A processor broke the rule <paramref name="message"/> says.</summary>
    /// <param name="message">What the processor did, and the rule.</param>
    public ProcessorCheckException(string message)
        : base(message)
    {
    }

    /// <summary>A processor broke the rule <paramref name="message"/> says.</summary>
    /// <param name="message">What the processor did, and the rule.</param>
    /// <param name="innerException">What was thrown.</param>
    public ProcessorCheckException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
