using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using FanOut.Core.Contracts;

namespace FanOut.Core.Http;

/// <summary>A job's status as one self-contained HTML page (GET /api/batch/{jobId} with Accept: text/html): a progress bar,
/// the counts, the throughput and time left while it runs, the grid of its chunks by state, and its failures. No script,
/// font or style comes from anywhere else; the page runs no script at all (its Content-Security-Policy allows none) and
/// refreshes itself with a meta refresh while the job runs. Every value from the job is HTML-encoded.</summary>
internal static class StatusPage
{
    /// <summary>The Content-Security-Policy the page is served with: nothing but its own inline styles.</summary>
    public const string Policy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The page of <paramref name="job"/>, with its chunks' <paramref name="grid"/>.</summary>
    public static BatchReply Of(JobResult job, IReadOnlyList<GridCell> grid)
    {
        var html = new StringBuilder(16 * 1024);
        var running = job.Status is JobStatus.Pending or JobStatus.Running;
        var chunks = job.Chunks;
        var done = chunks.Total == 0 ? 100.0 : 100.0 * (chunks.Succeeded + chunks.Failed) / chunks.Total;
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        if (running)
        {
            html.Append("<meta http-equiv=\"refresh\" content=\"2\">");
        }
        html.Append(CultureInfo.InvariantCulture, $"<title>{E(job.JobId)}: {job.Status}</title><style>{Style}</style></head><body>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>Job <code>{E(job.JobId)}</code> <span class=\"status {job.Status.ToString().ToLowerInvariant()}\" id=\"status\">{job.Status}</span></h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">processor <b>{E(job.Processor)}</b> · created {E(job.CreatedAt.ToString("u", CultureInfo.InvariantCulture))}");
        if (job.CompletedAt is { } completed)
        {
            html.Append(CultureInfo.InvariantCulture, $" · ended {E(completed.ToString("u", CultureInfo.InvariantCulture))}");
        }
        html.Append("</p>");
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"bar\" role=\"progressbar\" aria-valuenow=\"{done:F0}\" aria-valuemin=\"0\" aria-valuemax=\"100\"><div style=\"width:{done.ToString("F1", CultureInfo.InvariantCulture)}%\"></div></div>");
        html.Append("<table class=\"counts\"><tr><th>chunks</th><th>succeeded</th><th>failed</th><th>pending</th><th>items processed</th><th>items failed</th></tr>");
        html.Append(CultureInfo.InvariantCulture,
            $"<tr><td id=\"total\">{chunks.Total}</td><td id=\"succeeded\">{chunks.Succeeded}</td><td id=\"failed\">{chunks.Failed}</td><td id=\"pending\">{chunks.Pending}</td><td>{job.Items.Processed}</td><td>{job.Items.Failed}</td></tr></table>");
        Throughput(html, job, running);
        Grid(html, grid);
        Failures(html, job.Failures);
        html.Append("<p class=\"meta\">JSON: the same URL with <code>Accept: application/json</code>.</p></body></html>");
        return new BatchReply(200, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(html.ToString()))
        {
            Headers = new Dictionary<string, string> { ["Content-Security-Policy"] = Policy, ["X-Content-Type-Options"] = "nosniff", ["Cache-Control"] = "no-store" },
        };
    }

    // Chunks a second so far, and the time left at that rate.
    private static void Throughput(StringBuilder html, JobResult job, bool running)
    {
        var seconds = job.DurationMs / 1000.0;
        var ended = job.Chunks.Succeeded + job.Chunks.Failed;
        var rate = seconds > 0 ? ended / seconds : 0;
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{ended} chunks in {seconds:F1} s: <b id=\"rate\">{rate:F1}</b> chunks/s");
        if (running && rate > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $" · about <b id=\"left\">{job.Chunks.Pending / rate:F0} s</b> left");
        }
        html.Append("</p>");
    }

    private static void Grid(StringBuilder html, IReadOnlyList<GridCell> grid)
    {
        var size = grid.Count == 0 ? 1 : grid.Max(c => c.Count);
        html.Append(CultureInfo.InvariantCulture, $"<h2>Chunks{(size > 1 ? $", {size} to a cell" : "")}</h2><div class=\"grid\" id=\"grid\">");
        foreach (var cell in grid)
        {
            var stops = Stops(cell);
            var title = $"chunks {cell.First}–{cell.First + cell.Count - 1}: {cell.Succeeded} succeeded, {cell.Failed} failed, {cell.Pending} pending"
                        + (cell.Unreported > 0 ? $", {cell.Unreported} not reported by this run yet" : "");
            html.Append(CultureInfo.InvariantCulture, $"<i title=\"{E(title)}\" data-s=\"{cell.Succeeded}\" data-f=\"{cell.Failed}\" data-p=\"{cell.Pending}\" data-u=\"{cell.Unreported}\" style=\"background:{stops}\"></i>");
        }
        html.Append("</div><p class=\"legend\"><i class=\"s\"></i> succeeded <i class=\"f\"></i> failed <i class=\"p\"></i> pending <i class=\"u\"></i> not reported yet</p>");
    }

    // A cell's colours in proportion to its states, as a hard-stopped gradient.
    private static string Stops(GridCell cell)
    {
        var parts = new (int Count, string Colour)[] { (cell.Succeeded, "#2e7d32"), (cell.Failed, "#c62828"), (cell.Pending, "#f9a825"), (cell.Unreported, "#cfd8dc") };
        var stops = new List<string>();
        var at = 0.0;
        foreach (var (count, colour) in parts.Where(p => p.Count > 0))
        {
            var to = at + 100.0 * count / cell.Count;
            stops.Add(string.Create(CultureInfo.InvariantCulture, $"{colour} {at:F1}% {to:F1}%"));
            at = to;
        }
        return stops.Count == 1 ? parts.First(p => p.Count > 0).Colour : $"linear-gradient(90deg,{string.Join(',', stops)})";
    }

    private static void Failures(StringBuilder html, IReadOnlyList<ChunkFailure> failures)
    {
        if (failures.Count == 0)
        {
            return;
        }
        html.Append(CultureInfo.InvariantCulture, $"<h2>Failures (the first {failures.Count})</h2><table class=\"failures\" id=\"failures\"><tr><th>chunk</th><th>attempts</th><th>error</th></tr>");
        foreach (var failure in failures)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{failure.Chunk}</td><td>{failure.Attempts}</td><td>{E(failure.Error)}</td></tr>");
        }
        html.Append("</table>");
    }

    private static string E(string text) => HtmlEncoder.Default.Encode(text);

    private const string Style =
        "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}h1{font-size:20px}h2{font-size:16px;margin-top:24px}"
        + "code{font-family:ui-monospace,monospace}.meta{color:#555}.status{padding:2px 8px;border-radius:4px;background:#eceff1}"
        + ".succeeded{background:#c8e6c9}.failed{background:#ffcdd2}.running,.pending{background:#fff3cd}.cancelled,.incomplete{background:#e0e0e0}"
        + ".bar{height:14px;background:#eceff1;border-radius:7px;overflow:hidden}.bar div{height:100%;background:#2e7d32}"
        + "table{border-collapse:collapse;margin-top:12px}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}"
        + ".failures td:last-child{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}"
        + ".grid{display:grid;grid-template-columns:repeat(40,1fr);gap:2px}.grid i{display:block;height:14px;border-radius:2px}"
        + ".legend i{display:inline-block;width:12px;height:12px;vertical-align:middle;margin:0 4px 0 12px}"
        + ".legend .s{background:#2e7d32}.legend .f{background:#c62828}.legend .p{background:#f9a825}.legend .u{background:#cfd8dc}";
}
