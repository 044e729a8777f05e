using System.Diagnostics;
using FanOut.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FanOut.Tests.Telemetry;

/// <summary>FanOut's spans and metrics in this process, through OpenTelemetry's in-memory exporters. The instruments
/// are process-wide, so the tests that read the metrics run alone (<see cref="TelemetryCollection"/>).</summary>
internal sealed class InMemoryTelemetry : IDisposable
{
    private readonly List<Activity> _activities = [];
    private readonly List<MetricSnapshot> _metrics = [];
    private readonly TracerProvider _tracing;
    private readonly MeterProvider _meters;

    public InMemoryTelemetry()
    {
        _tracing = Sdk.CreateTracerProviderBuilder().AddSource(FanOutTelemetry.Name).AddInMemoryExporter(_activities).Build()!;
        _meters = Sdk.CreateMeterProviderBuilder().AddMeter(FanOutTelemetry.Name).AddInMemoryExporter(_metrics).Build()!;
    }

    /// <summary>Every span ended so far, as an exporter sends it.</summary>
    public IReadOnlyList<ReceivedSpan> Spans()
    {
        _tracing.ForceFlush();
        lock (_activities)
        {
            return [.. _activities.Select(a => new ReceivedSpan(a.Source.Name, a.DisplayName, a.TraceId.ToHexString(), a.SpanId.ToHexString(),
                a.ParentSpanId == default ? "" : a.ParentSpanId.ToHexString(), a.TagObjects.ToDictionary(t => t.Key, Normalize, StringComparer.Ordinal),
                a.Kind, a.Status))];
        }
    }

    /// <summary>A metric's total since this was created: a sum's value, a histogram's count; null if never measured.</summary>
    public double? Metric(string name)
    {
        _metrics.Clear();
        _meters.ForceFlush();
        var metric = _metrics.LastOrDefault(m => m.Name == name);
        return metric?.MetricType switch
        {
            null => null,
            MetricType.Histogram => metric.MetricPoints.Sum(p => (double)p.GetHistogramCount()),
            MetricType.LongSum or MetricType.LongSumNonMonotonic => metric.MetricPoints.Sum(p => (double)p.GetSumLong()),
            _ => metric.MetricPoints.Sum(p => p.GetSumDouble()),
        };
    }

    public void Dispose()
    {
        _tracing.Dispose();
        _meters.Dispose();
    }

    // As OTLP carries them: integers as 64-bit.
    private static object? Normalize(KeyValuePair<string, object?> tag) => tag.Value is int i ? (long)i : tag.Value;
}

/// <summary>The tests that read FanOut's process-wide instruments: alone, so no other test's job adds to them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
