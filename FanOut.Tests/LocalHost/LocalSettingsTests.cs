using FanOut.LocalHost.Worker;

namespace FanOut.Tests.LocalHost;

public sealed class LocalSettingsTests
{
    [Fact]
    public void Load_ValuesOfLocalSettingsJson_AnEnvironmentVariableOfTheSameNameWins()
    {
        var directory = Directory.CreateTempSubdirectory("fanout-settings-").FullName;
        var fromEnvironment = $"FANOUT_TEST_{Guid.NewGuid():N}";
        File.WriteAllText(Path.Combine(directory, "local.settings.json"), $$"""
            {
              "IsEncrypted": false,
              "Values": { "FanOut__Dispatch__MaxConcurrency": "8", "{{fromEnvironment}}": "from the file", "Flag": true },
            }
            """);
        Environment.SetEnvironmentVariable(fromEnvironment, "from the environment");
        try
        {
            var sut = LocalSettings.Load(directory);

            Assert.Equal("8", sut["FanOut__Dispatch__MaxConcurrency"]);
            Assert.Equal("true", sut["Flag"]);
            Assert.False(sut.ContainsKey(fromEnvironment));   // the worker inherits the environment's value
            Assert.Empty(LocalSettings.Load(Path.GetTempPath() + Guid.NewGuid().ToString("N")));
        }
        finally
        {
            Environment.SetEnvironmentVariable(fromEnvironment, null);
            Directory.Delete(directory, recursive: true);
        }
    }
}
