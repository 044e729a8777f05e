namespace FanOut.Core.Requests;

/// <summary>Finds the known field a misspelt one was meant to be (<c>chunk_size</c> → <c>chunkSize</c>).</summary>
internal static class FieldNameHint
{
    public static string? NearestTo(string unknown, IEnumerable<string> known)
    {
        var target = Normalize(unknown);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in known)
        {
            var distance = EditDistance(target, Normalize(name));
            if (distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }
        // Accept a third of the name's length in edits, and always a couple: enough for typos, not for guesses.
        return bestDistance <= Math.Max(2, target.Length / 3) ? best : null;
    }

    // Case, '_' and '-' are what people get wrong most when moving between naming styles.
    private static string Normalize(string name) =>
        new(name.Where(c => c is not ('_' or '-')).Select(char.ToLowerInvariant).ToArray());

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
