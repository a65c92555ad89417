using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Monetization.Bench;

/// <summary>Finds the repository and the Host's Release build (building it once if it is missing).</summary>
internal static class Locations
{
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Monetization.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Monetization.sln not found above the bench or the current directory.");
    }

    /// <summary>
    /// <c>Host/Monetization.Host/bin/Release/net10.0/Monetization.Host.dll</c>. The bench project references the Host for
    /// build order, so `dotnet run -c Release` builds it; otherwise this runs `dotnet build -c Release` on the Host once.
    /// </summary>
    public static async Task<string> EnsureHostBuiltAsync(string repositoryRoot, CancellationToken ct)
    {
        var dll = Path.Combine(repositoryRoot, "Host", "Monetization.Host", "bin", "Release", "net10.0", "Monetization.Host.dll");
        if (File.Exists(dll))
        {
            return dll;
        }

        Console.WriteLine($"{dll} is missing: building the Host in Release …");
        using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", "-c", "Release", Path.Combine(repositoryRoot, "Host", "Monetization.Host")])
        {
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("dotnet build did not start.");
        await build.WaitForExitAsync(ct);
        return build.ExitCode == 0 && File.Exists(dll) ? dll : throw new InvalidOperationException($"Building the Host failed (exit {build.ExitCode}).");
    }
}

/// <summary>JSON of the results file: snake_case, indented.</summary>
internal static class ResultJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
