using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FanOut.Cli.Jobs;

/// <summary>An estimate's answer in words, for standard error: the plan's size, the projection, and the note that says it
/// is one.</summary>
internal static class EstimateText
{
    public static string Of(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var plan = document.RootElement;
            if (!plan.TryGetProperty("estimate", out var estimate) || estimate.ValueKind != JsonValueKind.Object)
            {
                return "The app answered a plan without an estimate (an app older than estimates?).";
            }
            var sample = estimate.GetProperty("sample");
            var cost = estimate.GetProperty("cost");
            var operations = estimate.GetProperty("storageOperations");
            var text = new StringBuilder();
            Line(text, $"Estimate of job {Text(plan, "jobId")}: {Number(plan, "chunks")} chunks, {Number(plan, "concurrency")} in flight, {Number(plan, "invocations")} invocations.");
            Line(text, $"  sample:     {Number(sample, "size")} chunks ({Number(sample, "records")} records), {Number(sample, "minSeconds")} s / {Number(sample, "medianSeconds")} s / {Number(sample, "maxSeconds")} s (min / median / max)"
                       + (sample.TryGetProperty("failed", out var failed) && failed.GetInt32() > 0 ? $", {failed.GetInt32()} failed" : ""));
            Line(text, $"  time:       about {Number(estimate, "seconds")} s");
            Line(text, $"  compute:    {Number(estimate, "gbSeconds")} GB-s ({Number(estimate, "instances")} instance(s) of {Number(estimate, "instanceMemoryMB")} MB)");
            Line(text, $"  storage:    {Number(operations, "total")} operations ({Number(operations, "reads")} reads, {Number(operations, "writes")} writes, {Number(operations, "lists")} lists)");
            Line(text, $"  cost:       {Number(cost, "total")} {Text(cost, "currency")} (execution time {Number(cost, "executionTime")}, executions {Number(cost, "executions")}, storage {Number(cost, "storage")}; prices as of {Text(cost.GetProperty("prices"), "asOf")})");
            text.Append(Text(estimate, "note"));
            return text.ToString();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "The app's estimate could not be read; its answer is on standard output.";
        }
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "?";

    // A number as the app wrote it (no float formatting of our own).
    private static string Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetRawText() : "?";
}
