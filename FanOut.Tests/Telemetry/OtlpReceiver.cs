using System.Collections.Concurrent;
using System.Diagnostics;
using FanOut.Tests.Telemetry.Otlp;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FanOut.Tests.Telemetry;

/// <summary>An OTLP/HTTP receiver on 127.0.0.1 (port 0, read back), for telemetry made in another process (the real
/// worker) or by LocalHost: the app's own OTLP exporter, pointed here with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and
/// protocol <c>http/protobuf</c>, POSTs its batches to <c>/v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c>; they
/// are decoded with the protocol's messages (<c>otlp_subset.proto</c>) and kept.</summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentDictionary<string, double> _metrics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReceivedHistogram> _histograms = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedLog> _logs = new();

    private OtlpReceiver(WebApplication app)
    {
        _app = app;
        _app.MapPost("/v1/traces", context => ReceiveAsync(context, ExportTraceServiceRequest.Parser, Keep));
        _app.MapPost("/v1/metrics", context => ReceiveAsync(context, ExportMetricsServiceRequest.Parser, Keep));
        _app.MapPost("/v1/logs", context => ReceiveAsync(context, ExportLogsServiceRequest.Parser, Keep));
    }

    /// <summary>The endpoint to give the exporter.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every span received.</summary>
    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    /// <summary>Every histogram received, as last exported.</summary>
    public IReadOnlyList<ReceivedHistogram> Histograms => [.. _histograms.Values];

    /// <summary>Every log record received.</summary>
    public IReadOnlyList<ReceivedLog> Logs => [.. _logs];

    /// <summary>Settings that send a process's telemetry here, exported at short intervals.</summary>
    public Dictionary<string, string?> ExporterSettings() => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.AbsoluteUri.TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
    };

    /// <summary>A metric's latest value as last exported (cumulative: the total so far): a sum's value, a histogram's
    /// count of measurements; null when it was never exported.</summary>
    public double? Metric(string name) => _metrics.TryGetValue(name, out var value) ? value : null;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var receiver = new OtlpReceiver(builder.Build());
        await receiver._app.StartAsync();
        receiver.Endpoint = new Uri(receiver._app.Urls.Single());
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task ReceiveAsync<T>(HttpContext context, MessageParser<T> parser, Action<T> keep)
        where T : IMessage<T>
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        keep(parser.ParseFrom(body.ToArray()));
        // An empty Export*ServiceResponse: everything accepted.
        context.Response.ContentType = "application/x-protobuf";
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private void Keep(ExportTraceServiceRequest request)
    {
        foreach (var span in request.ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans.Select(span => (s.Scope?.Name, span))))
        {
            _spans.Enqueue(new ReceivedSpan(
                span.Item1 ?? "", span.span.Name, Hex(span.span.TraceId), Hex(span.span.SpanId), Hex(span.span.ParentSpanId),
                span.span.Attributes.ToDictionary(a => a.Key, a => Value(a.Value), StringComparer.Ordinal),
                // The protocol counts kinds from 1 (internal), .NET from 0; status codes agree (0 unset, 1 ok, 2 error).
                span.span.Kind > 0 ? (ActivityKind)(span.span.Kind - 1) : ActivityKind.Internal,
                (ActivityStatusCode)(span.span.Status?.Code ?? 0)));
        }
    }

    // Exports come one after another from one reader, so the last one holds each metric's total.
    private void Keep(ExportMetricsServiceRequest request)
    {
        foreach (var (scope, metric) in request.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics.Select(m => (s.Scope?.Name ?? "", m))))
        {
            if (metric.DataCase == Otlp.Metric.DataOneofCase.Histogram)
            {
                _histograms[metric.Name] = new ReceivedHistogram(scope, metric.Name, metric.Unit,
                    [.. metric.Histogram.DataPoints.Select(p => (IReadOnlyList<double>)p.ExplicitBounds.ToList())]);
            }
            _metrics[metric.Name] = metric.DataCase switch
            {
                Otlp.Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Sum(p => p.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? p.AsInt : p.AsDouble),
                Otlp.Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Sum(p => (double)p.Count),
                _ => double.NaN,
            };
        }
    }

    private void Keep(ExportLogsServiceRequest request)
    {
        foreach (var record in request.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords))
        {
            _logs.Enqueue(new ReceivedLog(record.SeverityNumber, Value(record.Body)?.ToString() ?? ""));
        }
    }

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    private static object? Value(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue,
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
        _ => null,
    };
}

/// <summary>A span as an exporter sent it: its source, name, ids (hex; the parent's empty for a root), attributes,
/// kind and status.</summary>
internal sealed record ReceivedSpan(
    string Scope, string Name, string TraceId, string SpanId, string ParentSpanId, IReadOnlyDictionary<string, object?> Attributes,
    ActivityKind Kind = ActivityKind.Internal, ActivityStatusCode Status = ActivityStatusCode.Unset);

/// <summary>A histogram as an exporter last sent it: its scope, name, unit and each data point's bucket boundaries.</summary>
internal sealed record ReceivedHistogram(string Scope, string Name, string Unit, IReadOnlyList<IReadOnlyList<double>> Bounds);

/// <summary>A log record as an exporter sent it: its severity number (the protocol's: 13 to 16 warn) and body.</summary>
internal sealed record ReceivedLog(int Severity, string Body);
