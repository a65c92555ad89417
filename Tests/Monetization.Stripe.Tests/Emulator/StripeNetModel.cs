using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Newtonsoft.Json;
using StripeNet = global::Stripe;

namespace Monetization.Stripe.Tests.Emulator;

/// <summary>
/// Compares JSON the emulator sends with Stripe.net 53.1.0's model (API version <c>2026-10-28.endive</c>): which keys the
/// Stripe.net type has no <c>[JsonProperty]</c> for (an emulator invention), and whether the JSON binds through both of
/// Stripe.net's serializers: System.Text.Json, which Stripe.net 53 uses (it catches type mismatches such as a null where
/// Stripe.net has a non-nullable number; Stripe.net's converters do not report unknown members, hence the key walk), and
/// Newtonsoft with <see cref="MissingMemberHandling.Error"/>.
/// </summary>
internal static class StripeNetModel
{
    private static readonly Dictionary<Type, Dictionary<string, Type>> PropertiesByType = [];

    private static readonly JsonSerializerOptions StrictStj = new(StripeNet.StripeConfiguration.SerializerOptions)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly JsonSerializerSettings StrictNewtonsoft = new() { MissingMemberHandling = MissingMemberHandling.Error };

    /// <summary>Stripe.net's type for an <c>object</c> value (<c>checkout.session</c> → <c>Stripe.Checkout.Session</c>), or null.</summary>
    public static Type? TypeOf(string? objectName) =>
        objectName is not null && StripeNet.StripeTypeRegistry.ObjectsToTypes.TryGetValue(objectName, out var type) ? type : null;

    /// <summary>
    /// The JSON paths (<c>subscription.items.data[].plan.foo</c>) of every key in <paramref name="json"/> that
    /// <paramref name="type"/> (recursively: nested classes, lists, dictionaries, expandable fields, polymorphic objects by
    /// their <c>object</c>) does not declare.
    /// </summary>
    public static List<string> UnknownKeys(JsonNode? json, Type type, string path)
    {
        var problems = new List<string>();
        Walk(json, type, path, problems);
        return problems;
    }

    /// <summary>Deserializes <paramref name="json"/> into <paramref name="type"/> with both serializers, strict about unknown members; returns the errors.</summary>
    public static List<string> BindingErrors(string json, Type type, string path)
    {
        var errors = new List<string>();
        try
        {
            if (System.Text.Json.JsonSerializer.Deserialize(json, type, StrictStj) is null)
            {
                errors.Add($"{path}: System.Text.Json gave null");
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            errors.Add($"{path}: System.Text.Json: {e.Message}");
        }

        try
        {
            if (JsonConvert.DeserializeObject(json, type, StrictNewtonsoft) is null)
            {
                errors.Add($"{path}: Newtonsoft gave null");
            }
        }
        catch (Exception e) when (e is Newtonsoft.Json.JsonException or InvalidOperationException)
        {
            errors.Add($"{path}: Newtonsoft: {e.Message}");
        }

        return errors;
    }

    private static void Walk(JsonNode? node, Type type, string path, List<string> problems)
    {
        if (node is null)
        {
            if (type.IsValueType && Nullable.GetUnderlyingType(type) is null)
            {
                problems.Add($"{path}: null, but a non-nullable {type.Name} in Stripe.net");
            }

            return;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(StripeNet.ExpandableField<>))
        {
            if (node is JsonValue)
            {
                return; // the id
            }

            type = type.GetGenericArguments()[0];
        }

        if (type.IsInterface || type == typeof(object))
        {
            // IHasObject, IPaymentSource, …: Stripe.net picks the concrete type by the object's "object".
            if (node is JsonObject polymorphic && TypeOf(polymorphic["object"]?.GetValue<string>()) is { } concrete && type.IsAssignableFrom(concrete))
            {
                Walk(node, concrete, path, problems);
            }
            else if (node is not JsonValue)
            {
                problems.Add($"{path}: no Stripe.net type for this value of {type.Name}");
            }

            return;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            if (node is JsonObject map)
            {
                foreach (var (key, value) in map)
                {
                    Walk(value, valueType, $"{path}.{key}", problems);
                }
            }

            return;
        }

        if (type != typeof(string) && ElementType(type) is { } elementType)
        {
            if (node is JsonArray array)
            {
                foreach (var element in array)
                {
                    Walk(element, elementType, path + "[]", problems);
                }
            }
            else
            {
                problems.Add($"{path}: an array in Stripe.net ({type.Name}), {node.GetValueKind()} here");
            }

            return;
        }

        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            if (node is not JsonValue)
            {
                problems.Add($"{path}: a {type.Name} in Stripe.net, {node.GetValueKind()} here");
            }

            return;
        }

        if (node is not JsonObject obj)
        {
            problems.Add($"{path}: an object ({type.FullName}) in Stripe.net, {node.GetValueKind()} here");
            return;
        }

        var properties = Properties(type);
        foreach (var (key, value) in obj)
        {
            if (properties.TryGetValue(key, out var propertyType))
            {
                Walk(value, propertyType, $"{path}.{key}", problems);
            }
            else
            {
                problems.Add($"{path}.{key}: not in {type.FullName}");
            }
        }
    }

    /// <summary>The JSON names <paramref name="type"/> declares (<c>[JsonProperty]</c>, on public and internal properties).</summary>
    public static IReadOnlyCollection<string> JsonNames(Type type) => Properties(type).Keys;

    private static Dictionary<string, Type> Properties(Type type)
    {
        lock (PropertiesByType)
        {
            if (!PropertiesByType.TryGetValue(type, out var map))
            {
                map = new Dictionary<string, Type>(StringComparer.Ordinal);
                for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
                {
                    foreach (var property in t.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        if (property.GetCustomAttribute<JsonPropertyAttribute>()?.PropertyName is { } name)
                        {
                            map.TryAdd(name, property.PropertyType);
                        }
                    }
                }

                PropertiesByType[type] = map;
            }

            return map;
        }
    }

    private static Type? DictionaryValueType(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>) && i.GetGenericArguments()[0] == typeof(string))
            ?.GetGenericArguments()[1];

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!typeof(IEnumerable).IsAssignableFrom(type) || Properties(type).Count > 0)
        {
            return null; // StripeList<T> is enumerable but is an object with data/has_more/url
        }

        return type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }
}
