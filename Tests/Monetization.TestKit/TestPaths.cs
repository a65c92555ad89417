namespace Monetization.TestKit;

/// <summary>Where tests find the repository and the shared reference data (<c>../shared</c> beside the repository).</summary>
public static class TestPaths
{
    /// <summary>The folder holding <c>Monetization.sln</c>, found by walking up from the test's output directory.</summary>
    /// <exception cref="InvalidOperationException">No such folder above the test.</exception>
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Monetization.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Monetization.sln not found above the test directory.");
        }
    }

    /// <summary><c>../shared/stripe</c> (or <c>$MONETIZATION_SHARED_DIR/stripe</c>), or null where it is absent.</summary>
    public static string? SharedStripeDirectory
    {
        get
        {
            var shared = Environment.GetEnvironmentVariable("MONETIZATION_SHARED_DIR") ?? Path.Combine(RepositoryRoot, "..", "shared");
            var stripe = Path.GetFullPath(Path.Combine(shared, "stripe"));
            return Directory.Exists(stripe) ? stripe : null;
        }
    }

    /// <summary>The shared Stripe folder, or ignores the calling test with a message where it is absent.</summary>
    public static string RequireSharedStripeDirectory() =>
        SharedStripeDirectory ?? throw new IgnoreException("../shared/stripe is absent: this test reads Stripe reference data from it and is skipped.");
}
