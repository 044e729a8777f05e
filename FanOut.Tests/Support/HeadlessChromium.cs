using System.Diagnostics;

namespace FanOut.Tests.Support;

/// <summary>Debian's Chromium, headless (.ci/run installs it): the DOM of a page after it loaded, or a screenshot of it.</summary>
internal static class HeadlessChromium
{
    private const string Binary = "/usr/bin/chromium";

    /// <summary>The page's DOM, serialized after load (scripts, had any run, would have changed it by then).</summary>
    public static Task<string> DumpDomAsync(Uri page) => RunAsync("--dump-dom", page.AbsoluteUri);

    /// <summary>Saves a screenshot of the page to <paramref name="png"/>.</summary>
    public static Task ScreenshotAsync(Uri page, string png, int width = 1000, int height = 760) =>
        RunAsync($"--screenshot={png}", $"--window-size={width},{height}", page.AbsoluteUri);

    private static async Task<string> RunAsync(params string[] arguments)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does.");
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        // As root in a container: no sandbox, no GPU, a profile of its own.
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", $"--user-data-dir={Path.Combine(Path.GetTempPath(), $"chromium-{Guid.NewGuid():N}")}" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within 60 s: {await errors}");
        }
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await errors}");
        return await output;
    }
}
