using System.ComponentModel.DataAnnotations;

namespace FanOut.Core.Configuration;

/// <summary>The estimate of a job before its run (<c>estimate</c> in start_fanout, <c>FanOut__Estimate__*</c>): how many of
/// its chunks are run as a sample, the instance size its GB-seconds are counted at, and the price table its cost is
/// computed from.</summary>
internal sealed class EstimateOptions
{
    /// <summary>Chunks an estimate runs unless the request says how many (fewer when the job has fewer).</summary>
    [Range(1, 1000)]
    public int Sample { get; set; } = 8;

    /// <summary>Most chunks a request may ask an estimate to run.</summary>
    [Range(1, 1000)]
    public int MaxSample { get; set; } = 32;

    /// <summary>The memory of one instance (Flex Consumption's <c>instanceMemoryMB</c>: 512, 2048 or 4096; the infra
    /// template's default is 2048).</summary>
    [Range(128, 65_536)]
    public int InstanceMemoryMB { get; set; } = 2048;

    /// <summary>The list prices the cost is computed from.</summary>
    [Required]
    public PriceTable Prices { get; set; } = new();
}

/// <summary>List prices of what a job is billed for (<c>FanOut__Estimate__Prices__*</c>), dated: Flex Consumption's on-demand
/// execution time and executions, and Blob Storage's operations (hot tier, LRS). Each one can be overridden with the prices
/// of the app's region, currency or agreement. The defaults: Flex Consumption on-demand, East US, as published in May
/// 2025 (a third-party guide quoting Azure's pricing page); Blob Storage hot tier operations as Microsoft's own cost
/// article (dated 2024-07-26) lists them. Free monthly grants are not deducted.</summary>
internal sealed class PriceTable
{
    /// <summary>The currency of every price below.</summary>
    [Required]
    public string Currency { get; set; } = "USD";

    /// <summary>When these prices were listed (ISO date), so that an old table is seen as old.</summary>
    [Required]
    public string AsOf { get; set; } = "2025-05-22";

    /// <summary>Where they come from, in words.</summary>
    public string Source { get; set; } =
        "Flex Consumption on-demand list prices (East US) and Blob Storage hot LRS operation prices; defaults of FanOut__Estimate__Prices__*, overridable.";

    /// <summary>Per GB-second of on-demand execution time (instance memory while it executes).</summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal PerGbSecond { get; set; } = 0.000026m;

    /// <summary>Per million executions.</summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal PerMillionExecutions { get; set; } = 0.40m;

    /// <summary>Per 10,000 write operations (Put Blob, Put Block, Append Block, Set Metadata…).</summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal PerTenThousandWrites { get; set; } = 0.055m;

    /// <summary>Per 10,000 read operations (Get Blob, Get Blob Properties…).</summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal PerTenThousandReads { get; set; } = 0.0044m;

    /// <summary>Per 10,000 list operations (List Blobs).</summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal PerTenThousandLists { get; set; } = 0.055m;
}
