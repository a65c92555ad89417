using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using StripeNet = global::Stripe;

namespace Monetization.Stripe.Json;

/// <summary>
/// System.Text.Json settings that bind Stripe objects (<c>data.object</c> of a webhook event) to Stripe.net's own model
/// types (<see cref="StripeNet.Subscription"/>, <see cref="StripeNet.Invoice"/>, …) with the same result as Stripe.net's
/// <see cref="StripeNet.StripeConfiguration.SerializerOptions"/>, without copying each nested object's JSON (docs/performance.md has the measurements).
/// </summary>
/// <remarks>
/// Stripe.net marks every entity with a type-level converter that, for each nested object, copies the object's raw JSON
/// to a string, parses it again and sets each property through reflection, creating converter instances on the way
/// (<c>STJStripeEntityConverter</c>, <c>STJDefaultConverter</c>). Here the entity types get ordinary System.Text.Json object
/// contracts instead: one property per member that carries Stripe.net's <see cref="JsonPropertyNameAttribute"/> (public or
/// not, so the hidden expandable-field members such as <c>InternalCustomer</c> bind as they do in Stripe.net), with that
/// member's own converter and number handling, and compiled accessors. Types that are not plain entities (lists, unions,
/// expandable fields, enums) keep Stripe.net's converters. What is not filled: <see cref="StripeNet.StripeEntity.RawJObject"/>,
/// which the project never reads. ADR 0023 gives the measurements; <c>StripeObjectJsonTests</c> proves the equivalence on
/// every object the emulator emits and on Stripe's sample events.
/// </remarks>
public static class StripeObjectJson
{
    /// <summary>Options for <see cref="JsonSerializer"/> / <c>JsonElement.Deserialize</c>
    /// into Stripe.net model types. Unknown members are skipped (events of other API versions bind, as Stripe.net's
    /// <c>throwOnApiVersionMismatch: false</c> would allow).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(StripeNet.StripeConfiguration.SerializerOptions)
        {
            TypeInfoResolver = new EntityContractResolver(),
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        };
        options.Converters.Add(new ListConverterFactory());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Plain object contracts for Stripe.net's entity classes; everything else as Stripe.net declares it.</summary>
    private sealed class EntityContractResolver : IJsonTypeInfoResolver
    {
        private readonly DefaultJsonTypeInfoResolver _declared = new();

        public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
        {
            if (!typeof(StripeNet.StripeEntity).IsAssignableFrom(type) || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is not { } constructor)
            {
                return _declared.GetTypeInfo(type, options);
            }

            // CreateJsonTypeInfo ignores the type's [JsonConverter] attribute: an object contract with no members yet.
            var info = JsonTypeInfo.CreateJsonTypeInfo(type, options);
            if (info.Kind != JsonTypeInfoKind.Object)
            {
                // An entity that is also a collection (StripeSearchResult<T>, …): Stripe.net's converter reads it (StripeList<T>
                // has ListConverterFactory).
                return _declared.GetTypeInfo(type, options);
            }

            info.CreateObject = Expression.Lambda<Func<object>>(Expression.Convert(Expression.New(constructor), typeof(object))).Compile();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var declaring = type; declaring is not null && declaring != typeof(object); declaring = declaring.BaseType)
            {
                foreach (var member in declaring.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (member.GetCustomAttribute<JsonPropertyNameAttribute>() is not { } name
                        || member.GetIndexParameters().Length > 0
                        || member.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: JsonIgnoreCondition.Always }
                        || !seen.Add(name.Name))
                    {
                        continue;
                    }

                    info.Properties.Add(Property(info, member, name.Name));
                }
            }

            return info;
        }

        private static JsonPropertyInfo Property(JsonTypeInfo owner, PropertyInfo member, string name)
        {
            var property = owner.CreateJsonPropertyInfo(member.PropertyType, name);
            var target = Expression.Parameter(typeof(object), "target");
            var typedTarget = Expression.Convert(target, member.DeclaringType!);
            if (member.GetMethod is { } getter)
            {
                property.Get = Expression.Lambda<Func<object, object?>>(
                    Expression.Convert(Expression.Property(typedTarget, getter), typeof(object)), target).Compile();
            }

            if (member.SetMethod is { } setter)
            {
                var value = Expression.Parameter(typeof(object), "value");
                property.Set = Expression.Lambda<Action<object, object?>>(
                    Expression.Call(typedTarget, setter, Expression.Convert(value, member.PropertyType)), target, value).Compile();
            }

            if (member.GetCustomAttribute<JsonConverterAttribute>() is { } converter)
            {
                property.CustomConverter = converter.ConverterType is { } converterType
                    ? (JsonConverter)Activator.CreateInstance(converterType)!
                    : converter.CreateConverter(member.PropertyType);
            }

            if (member.GetCustomAttribute<JsonNumberHandlingAttribute>() is { } numbers)
            {
                property.NumberHandling = numbers.Handling;
            }

            return property;
        }
    }

    /// <summary>
    /// Reads Stripe's list object (<c>{"object": "list", "data": [...], "has_more": …, "url": …}</c>) into
    /// <see cref="StripeNet.StripeList{T}"/> with the elements bound by these options; writes as Stripe.net does.
    /// </summary>
    private sealed class ListConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(StripeNet.StripeList<>);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(ListConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
    }

    private sealed class ListConverter<T> : JsonConverter<StripeNet.StripeList<T>>
    {
        public override StripeNet.StripeList<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"A Stripe list is a JSON object, not {reader.TokenType}.");
            }

            var list = new StripeNet.StripeList<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "object":
                        list.Object = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                        break;
                    case "data":
                        list.Data = JsonSerializer.Deserialize<List<T>>(ref reader, options);
                        break;
                    case "has_more":
                        list.HasMore = reader.TokenType == JsonTokenType.True;
                        break;
                    case "url":
                        list.Url = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return list;
        }

        public override void Write(Utf8JsonWriter writer, StripeNet.StripeList<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, StripeNet.StripeConfiguration.SerializerOptions);
    }
}
