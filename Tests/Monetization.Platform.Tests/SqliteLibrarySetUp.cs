using Monetization.BuildingBlocks.Data;

/// <summary>
/// Sets the SQLite library up as the Host does (<see cref="SqliteLibrary"/>), before any test of this assembly opens a
/// connection: some tests open raw connections before they start a Host, and the library's settings can only be made
/// before its first connection.
/// </summary>
[SetUpFixture]
public sealed class SqliteLibrarySetUp
{
    /// <summary>True when the settings were applied before the assembly's first connection.</summary>
    public static bool Configured { get; private set; }

    [OneTimeSetUp]
    public void ConfigureSqlite() => Configured = SqliteLibrary.Configure();
}
