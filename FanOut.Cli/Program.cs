using FanOut.Cli;

using var interruption = Interruption.OfProcess();
try
{
    return await CliApp.RunAsync(args, Console.Out, Console.Error, cancellationToken: interruption.Token);
}
catch (Exception ex)
{
    // CliApp tells every failure itself, masked; this is for one it could not even write (standard error closed): the
    // type only, since a message here would not pass the masking console.
    try
    {
        await Console.Error.WriteLineAsync($"fanout: failed unexpectedly ({ex.GetType().Name}).");
    }
    catch (IOException)
    {
        // Nowhere left to say it; the exit code still does.
    }
    return ExitCodes.Unreachable;
}
