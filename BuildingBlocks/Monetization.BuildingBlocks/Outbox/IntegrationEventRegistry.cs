using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using Monetization.IntegrationEvents;

namespace Monetization.BuildingBlocks.Outbox;

/// <summary>
/// The explicit map between event wire names and CLR types used to store and read outbox rows, built once at start-up
/// (a singleton service): <see cref="IntegrationEventTypes.All"/> plus what modules declare with
/// <see cref="Modules.ModuleBuilder.IntegrationEvent{TEvent}"/>. Never resolves a type by scanning assemblies for a string,
/// and never changes after start, so two Hosts in one process (tests) cannot see each other's events.
/// </summary>
public sealed class IntegrationEventRegistry
{
    private readonly FrozenDictionary<string, Type> _byName;
    private readonly FrozenDictionary<Type, string> _byType;

    /// <summary>The registry of <see cref="IntegrationEventTypes.All"/> and <paramref name="declared"/>.</summary>
    /// <exception cref="InvalidOperationException">A name or a type is declared twice differently.</exception>
    public IntegrationEventRegistry(IEnumerable<IntegrationEventName> declared)
    {
        ArgumentNullException.ThrowIfNull(declared);
        var byName = new Dictionary<string, Type>(IntegrationEventTypes.All, StringComparer.Ordinal);
        var byType = IntegrationEventTypes.All.ToDictionary(p => p.Value, p => p.Key);
        foreach (var (name, type) in declared)
        {
            if ((byName.TryGetValue(name, out var known) && known != type) || (byType.TryGetValue(type, out var knownName) && knownName != name))
            {
                throw new InvalidOperationException($"Event name '{name}' or type {type.Name} is already registered differently.");
            }

            byName[name] = type;
            byType[type] = name;
        }

        _byName = byName.ToFrozenDictionary(StringComparer.Ordinal);
        _byType = byType.ToFrozenDictionary();
    }

    /// <summary>The registry of <see cref="IntegrationEventTypes.All"/> alone, for a context built outside a Host (tools, design time).</summary>
    public static IntegrationEventRegistry Standard { get; } = new([]);

    /// <summary>
    /// The outbox's JSON: snake_case names, enums as snake_case strings, nulls written. Separate from the HTTP API's
    /// options on purpose: stored rows outlive a release, so a change to how the API writes JSON must not change how
    /// events already in an outbox are read (<c>OutboxTests</c> reads a stored payload of every shape back).
    /// </summary>
    public static JsonSerializerOptions Json { get; } = CreateJson();

    /// <summary>The wire name of an event type.</summary>
    /// <exception cref="InvalidOperationException">The type is not registered.</exception>
    public string NameOf(Type eventType) =>
        _byType.TryGetValue(eventType, out var name)
            ? name
            : throw new InvalidOperationException($"{eventType.FullName} is not in the integration event registry.");

    /// <summary>Serializes an event for the outbox.</summary>
    public static string Serialize(IIntegrationEvent integrationEvent)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        return JsonSerializer.Serialize(integrationEvent, integrationEvent.GetType(), Json);
    }

    /// <summary>Reads an outbox payload back into its event type.</summary>
    /// <exception cref="InvalidOperationException">Unknown name, or a payload that is not the event.</exception>
    public IIntegrationEvent Deserialize(string name, string payload)
    {
        if (!_byName.TryGetValue(name, out var type))
        {
            throw new InvalidOperationException($"Unknown integration event type '{name}'.");
        }

        return JsonSerializer.Deserialize(payload, type, Json) as IIntegrationEvent
            ?? throw new InvalidOperationException($"Outbox payload of '{name}' is empty.");
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            PropertyNameCaseInsensitive = false,
            NumberHandling = JsonNumberHandling.Strict,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>An integration event type a module declares beyond <see cref="IntegrationEventTypes.All"/> (tests' throw-away modules).</summary>
/// <param name="Name">Wire name, <c>module.event_name</c>.</param>
/// <param name="Type">The event's CLR type.</param>
public sealed record IntegrationEventName(string Name, Type Type);
