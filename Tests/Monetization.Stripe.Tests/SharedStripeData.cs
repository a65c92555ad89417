namespace Monetization.Stripe.Tests;

/// <summary>
/// Locates the read-only Stripe reference data (<c>../shared/stripe</c> next to the repository root, i.e. the sibling
/// <c>shared/stripe</c> of the folder holding <c>Monetization.sln</c>). <c>MONETIZATION_SHARED_DIR</c> overrides it: either the
/// <c>shared</c> folder (its <c>stripe</c> subfolder is used) or the <c>stripe</c> folder itself.
/// </summary>
public static class SharedStripeData
{
    private const string EnvVar = "MONETIZATION_SHARED_DIR";

    /// <summary>The <c>shared/stripe</c> folder, or null when it is absent.</summary>
    public static string? StripeDir { get; } = Locate();

    /// <summary>Returns <see cref="StripeDir"/>, or marks the calling test ignored when the data is absent.</summary>
    public static string RequireStripeDir()
    {
        if (StripeDir is null)
        {
            Assert.Ignore($"Stripe reference data ../shared/stripe is absent (looked next to the folder holding Monetization.sln, and in ${EnvVar}); these tests need it.");
        }

        return StripeDir!;
    }

    /// <summary>A path inside the Stripe folder, e.g. <c>Path("samples", "signatures.json")</c>; ignores the test when absent.</summary>
    public static string PathTo(params string[] parts) => Path.Combine([RequireStripeDir(), .. parts]);

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable(EnvVar);
        if (!string.IsNullOrWhiteSpace(env))
        {
            foreach (var candidate in new[] { Path.Combine(env, "stripe"), env })
            {
                if (File.Exists(Path.Combine(candidate, "request-vectors.json")))
                {
                    return Path.GetFullPath(candidate);
                }
            }

            return null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Monetization.sln")))
            {
                var stripe = Path.Combine(dir.FullName, "..", "shared", "stripe");
                return Directory.Exists(stripe) ? Path.GetFullPath(stripe) : null;
            }
        }

        return null;
    }
}
