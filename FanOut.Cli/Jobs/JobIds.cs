using System.Globalization;

namespace FanOut.Cli.Jobs;

/// <summary>Job ids the CLI makes when none is given, shaped as the app's own (sortable by time): the CLI always names
/// its job, so that its retried calls never start a second one.</summary>
internal static class JobIds
{
    public static string New(TimeProvider clock) =>
        clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12];
}
