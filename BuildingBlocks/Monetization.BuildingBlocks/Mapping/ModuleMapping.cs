using Mapster;

namespace Monetization.BuildingBlocks.Mapping;

/// <summary>
/// Builds a module's own Mapster configuration (ADR 0003): strict, so a response or command member without a source
/// fails when the configuration is compiled (at module registration and in each module's mapping test) instead of
/// going out as a default value; shallow for values of the same type (a request's list of events is handed over, not
/// copied). Each module keeps one instance and passes it to <c>Adapt</c>/<c>ProjectToType</c>; nothing uses Mapster's
/// global settings, so modules cannot change each other's mappings.
/// </summary>
public static class ModuleMapping
{
    /// <summary>A new strict configuration, with <paramref name="configure"/>'s explicit mappings added and compiled.</summary>
    /// <param name="configure">Declares each mapping the module uses (<c>config.NewConfig&lt;TSource, TDestination&gt;()</c>).</param>
    /// <exception cref="InvalidOperationException">A declared mapping leaves a destination member without a source.</exception>
    public static TypeAdapterConfig Create(Action<TypeAdapterConfig> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var config = new TypeAdapterConfig
        {
            RequireExplicitMapping = true,
            RequireDestinationMemberSource = true,
        };
        config.Default.ShallowCopyForSameType(true);
        configure(config);
        config.Compile();
        return config;
    }
}
