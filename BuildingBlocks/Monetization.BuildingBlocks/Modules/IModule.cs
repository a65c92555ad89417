namespace Monetization.BuildingBlocks.Modules;

/// <summary>
/// A business module: declares its name, services, DbContext, handlers and Carter routes through
/// <see cref="ModuleBuilder"/>. The Host adds it with one line, <c>builder.AddModule&lt;XModule&gt;()</c>; its request
/// handlers, consumers and validators are found in its assembly.
/// </summary>
public interface IModule
{
    /// <summary>The module's name (<c>Subscriptions</c>): database file, connection string key and outbox label.</summary>
    string Name { get; }

    /// <summary>Registers what the module owns.</summary>
    void Register(ModuleBuilder module);
}
