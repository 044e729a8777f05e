using System.Text.Json;
using System.Text.Json.Nodes;

namespace FanOut.Cli.Jobs;

/// <summary>The start_fanout body of <c>fanout run</c>: a request file's fields, then the flags given (a flag wins), and
/// always a jobId (the one given, or a new one), so that a retried call or step finds the same job.</summary>
internal static class JobRequest
{
    public static JsonObject Build(RunFlags flags, TimeProvider clock)
    {
        var request = flags.RequestFile is { } file ? ReadObject(file) : [];
        request["action"] = "start_fanout";
        Set(request, "jobId", flags.JobId);
        Set(request, "processor", flags.Processor);
        Set(request, "chunkSize", flags.ChunkSize);
        Set(request, "chunkBytes", flags.ChunkBytes);
        Set(request, "maxConcurrency", flags.MaxConcurrency);
        Set(request, "toleratedFailurePercent", flags.ToleratedFailurePercent);
        Set(request, "toleratedFailureCount", flags.ToleratedFailureCount);
        if (flags.Options is { } options)
        {
            request["options"] = ParseObject(options, "--options");
        }
        if (flags.Source is { } source)
        {
            request.Remove("items");
            request["source"] = Source(source, flags.Format);
        }
        else if (flags.Format is not null)
        {
            throw new UsageException("--format goes with --source.");
        }
        if (flags.ItemsFile is { } items)
        {
            request.Remove("source");
            request["items"] = Items(items);
        }
        if (flags.EstimateSample is { } sample)
        {
            // A dry run that runs a sample of the chunks: nothing is stored or committed, so there is nothing to wait for.
            request.Remove("dryRun");
            request.Remove("waitSeconds");
            request["estimate"] = sample > 0 ? new JsonObject { ["sample"] = sample } : new JsonObject();
        }
        if (request["jobId"] is null)
        {
            request["jobId"] = JobIds.New(clock);
        }
        else if (request["jobId"]!.GetValueKind() != JsonValueKind.String)
        {
            throw new UsageException("The request's jobId must be a string.");
        }
        return request;
    }

    /// <summary><c>container/path/to/blob</c>, or <c>container/prefix/</c> (a trailing slash: every blob under it).</summary>
    private static JsonObject Source(string source, string? format)
    {
        var slash = source.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == source.Length - 1)
        {
            throw new UsageException($"--source is container/blob (or container/prefix/ for every blob under it), not \"{source}\".");
        }
        var path = source[(slash + 1)..];
        var reference = new JsonObject { ["container"] = source[..slash] };
        reference[path.EndsWith('/') ? "prefix" : "blob"] = path;
        Set(reference, "format", format);
        return reference;
    }

    /// <summary>A <c>.json</c> file holds a JSON array of items; any other file is text, one item per line.</summary>
    private static JsonArray Items(FileInfo file)
    {
        var text = Read(file);
        if (file.Extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return Parse(text, file.Name) as JsonArray ?? throw new UsageException($"{file.Name} must hold a JSON array of items.");
        }
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1); // the newline that ends the last line
        }
        return new JsonArray([.. lines.Select(l => JsonValue.Create(l))]);
    }

    private static JsonObject ReadObject(FileInfo file) => ParseObject(Read(file), file.Name);

    private static JsonObject ParseObject(string json, string what) =>
        Parse(json, what) as JsonObject ?? throw new UsageException($"{what} must hold a JSON object.");

    private static JsonNode? Parse(string json, string what)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{what} is not JSON: {ex.Message}");
        }
    }

    private static string Read(FileInfo file)
    {
        try
        {
            return File.ReadAllText(file.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot read {file.FullName}: {ex.Message}");
        }
    }

    // A flag not given (null) leaves the field as the file has it.
    private static void Set(JsonObject json, string name, JsonNode? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }
}
