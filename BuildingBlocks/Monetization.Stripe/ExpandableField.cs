using System.Text.Json;
using System.Text.Json.Serialization;

namespace Monetization.Stripe;

/// <summary>An object Stripe returns with an <c>id</c> (<c>cus_…</c>, <c>sub_…</c>, …).</summary>
public interface IStripeEntity
{
    /// <summary>The object's Stripe id.</summary>
    string Id { get; }
}

/// <summary>
/// A Stripe field that is either an id string or, when requested with <c>expand[]</c>, the full object
/// (the spec's <c>anyOf[string, object]</c> / <c>x-expandableFields</c>). JSON accepts a string or an object.
/// </summary>
/// <typeparam name="T">The expanded object type.</typeparam>
[JsonConverter(typeof(ExpandableFieldConverterFactory))]
public sealed class ExpandableField<T>
    where T : class, IStripeEntity
{
    /// <summary>Creates a field holding only an id.</summary>
    /// <param name="id">The object's id.</param>
    public ExpandableField(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        Id = id;
    }

    /// <summary>Creates an expanded field; <see cref="Id"/> is taken from <paramref name="value"/>.</summary>
    /// <param name="value">The expanded object.</param>
    public ExpandableField(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Id = value.Id;
        Value = value;
    }

    /// <summary>The object's id; always set.</summary>
    public string Id { get; }

    /// <summary>The expanded object, or null when Stripe returned only the id.</summary>
    public T? Value { get; }

    /// <summary>True when <see cref="Value"/> is set.</summary>
    public bool IsExpanded => Value is not null;

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>Creates the JSON converter of <see cref="ExpandableField{T}"/>.</summary>
internal sealed class ExpandableFieldConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(ExpandableField<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(ExpandableFieldConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
}

/// <summary>Reads an id string or an object into <see cref="ExpandableField{T}"/>; writes the object when expanded, else the id.</summary>
internal sealed class ExpandableFieldConverter<T> : JsonConverter<ExpandableField<T>>
    where T : class, IStripeEntity
{
    public override ExpandableField<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return new ExpandableField<T>(reader.GetString()!);
            case JsonTokenType.StartObject:
                var value = JsonSerializer.Deserialize<T>(ref reader, options)
                    ?? throw new JsonException($"Expected an expanded {typeof(T).Name} object.");
                return new ExpandableField<T>(value);
            default:
                throw new JsonException($"Expected an id string or a {typeof(T).Name} object, got {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, ExpandableField<T> value, JsonSerializerOptions options)
    {
        if (value.Value is not null)
        {
            JsonSerializer.Serialize(writer, value.Value, options);
        }
        else
        {
            writer.WriteStringValue(value.Id);
        }
    }
}
