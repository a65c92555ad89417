using System.Collections.Concurrent;
using System.Text.Json;
using Monetization.BuildingBlocks.Http;
using Monetization.IntegrationEvents;

namespace Monetization.BuildingBlocks.Outbox;

/// <summary>
/// The explicit map between event wire names and CLR types used to store and read outbox rows: starts with
/// <see cref="IntegrationEventTypes.All"/>; tests and new modules add theirs with <see cref="Register{TEvent}"/>. Never
/// resolves a type by scanning assemblies for a string.
/// </summary>
public static class IntegrationEventRegistry
{
    private static readonly ConcurrentDictionary<string, Type> ByName = new(IntegrationEventTypes.All, StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<Type, string> ByType = new(IntegrationEventTypes.All.ToDictionary(p => p.Value, p => p.Key));

    /// <summary>Adds an event type under a wire name; registering the same pair again is a no-op.</summary>
    /// <exception cref="InvalidOperationException">The name or the type is already registered differently.</exception>
    public static void Register<TEvent>(string name)
        where TEvent : IIntegrationEvent
    {
        if (ByName.GetOrAdd(name, typeof(TEvent)) != typeof(TEvent) || ByType.GetOrAdd(typeof(TEvent), name) != name)
        {
            throw new InvalidOperationException($"Event name '{name}' or type {typeof(TEvent).Name} is already registered differently.");
        }
    }

    /// <summary>The wire name of an event type.</summary>
    /// <exception cref="InvalidOperationException">The type is not registered.</exception>
    public static string NameOf(Type eventType) =>
        ByType.TryGetValue(eventType, out var name)
            ? name
            : throw new InvalidOperationException($"{eventType.FullName} is not in the integration event registry.");

    /// <summary>Serializes an event for the outbox.</summary>
    public static string Serialize(IIntegrationEvent integrationEvent) =>
        JsonSerializer.Serialize(integrationEvent, integrationEvent.GetType(), ApiJson.Options);

    /// <summary>Reads an outbox payload back into its event type.</summary>
    /// <exception cref="InvalidOperationException">Unknown name, or a payload that is not the event.</exception>
    public static IIntegrationEvent Deserialize(string name, string payload)
    {
        if (!ByName.TryGetValue(name, out var type))
        {
            throw new InvalidOperationException($"Unknown integration event type '{name}'.");
        }

        return JsonSerializer.Deserialize(payload, type, ApiJson.Options) as IIntegrationEvent
            ?? throw new InvalidOperationException($"Outbox payload of '{name}' is empty.");
    }
}
