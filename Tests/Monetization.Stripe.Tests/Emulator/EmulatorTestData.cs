namespace Monetization.Stripe.Tests.Emulator;

/// <summary>Locates the read-only Stripe reference data (<c>shared/stripe</c>, a sibling of the repository root).</summary>
internal static class EmulatorTestData
{
    public const string EnvironmentVariable = "MONETIZATION_SHARED_DIR";

    /// <summary>The <c>shared/stripe</c> folder, or null when it is absent.</summary>
    public static string? StripeDirectory()
    {
        var overridden = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            var candidate = Directory.Exists(Path.Combine(overridden, "stripe")) ? Path.Combine(overridden, "stripe") : overridden;
            return Directory.Exists(candidate) ? candidate : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Monetization.sln")))
            {
                var shared = Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared", "stripe");
                return Directory.Exists(shared) ? shared : null;
            }
        }

        return null;
    }

    /// <summary>The stripe folder, or <see cref="Assert.Ignore(string)"/> when it is not there.</summary>
    public static string RequireStripeDirectory()
    {
        var dir = StripeDirectory();
        if (dir is null)
        {
            Assert.Ignore($"shared/stripe reference data not found (set {EnvironmentVariable} to the shared folder).");
        }

        return dir!;
    }
}
