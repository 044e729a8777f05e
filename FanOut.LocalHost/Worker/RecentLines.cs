namespace FanOut.LocalHost.Worker;

/// <summary>The last lines of something (the worker's console, its logs), kept to say why it died.</summary>
internal sealed class RecentLines(int capacity = 40)
{
    private readonly Queue<string> _lines = new();

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    public override string ToString()
    {
        lock (_lines)
        {
            return _lines.Count == 0 ? "  (none)" : string.Join(Environment.NewLine, _lines.Select(l => "  " + l));
        }
    }
}
