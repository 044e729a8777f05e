namespace FanOut.Core.Runs;

/// <summary>Whether a chunk of a CSV job cut by bytes starts inside a quoted field.</summary>
internal enum QuoteState
{
    /// <summary>Not a CSV job cut by bytes: the question does not arise.</summary>
    None,
    /// <summary>It starts outside any quoted field.</summary>
    Outside,
    /// <summary>It starts inside a quoted field.</summary>
    Inside,
    /// <summary>Not known this run (a count before it failed or did not finish): the chunk is not sent.</summary>
    Unknown,
}

/// <summary>Quote states as the chunk pass carries them in a node's marks, one character per chunk.</summary>
internal static class QuoteStates
{
    /// <summary>The state of <paramref name="chunk"/> in <paramref name="work"/>.</summary>
    public static QuoteState At(NodeWork work, int chunk) =>
        work.Marks is null ? QuoteState.None : Parse(work.Marks[chunk - work.Span.First]);

    /// <summary>The marks of a run of states.</summary>
    public static string Marks(IEnumerable<QuoteState> states) =>
        string.Concat(states.Select(state => state switch { QuoteState.Outside => '0', QuoteState.Inside => '1', _ => '-' }));

    /// <summary>Whether every character of <paramref name="marks"/> is a state.</summary>
    public static bool AreValid(string marks) => marks.All(c => c is '0' or '1' or '-');

    /// <summary>What the chunk's reader is told: inside, outside, or (no state) nothing.</summary>
    public static bool? InQuotes(this QuoteState state) => state switch
    {
        QuoteState.Inside => true,
        QuoteState.Outside => false,
        _ => null,
    };

    private static QuoteState Parse(char mark) => mark switch
    {
        '0' => QuoteState.Outside,
        '1' => QuoteState.Inside,
        _ => QuoteState.Unknown,
    };
}
