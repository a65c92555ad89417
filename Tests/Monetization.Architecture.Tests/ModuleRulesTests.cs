using System.Reflection;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using MediatR;
using Monetization.BuildingBlocks.Modules;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents;

namespace Monetization.Architecture.Tests;

/// <summary>The module boundaries and conventions of docs/architecture.md, checked on the compiled assemblies and the project files.</summary>
public sealed class ModuleRulesTests
{
    private static readonly Assembly[] Modules = BusinessModules.Assemblies;

    private static readonly string[] AllowedProjectReferences =
    [
        "Monetization.BuildingBlocks.csproj",
        "Monetization.IntegrationEvents.csproj",
        "Monetization.Stripe.csproj",
    ];

    private static IEnumerable<Assembly> ModuleAssemblies() => Modules;

    private static IEnumerable<string> ModuleProjects() =>
        Directory.GetFiles(Path.Combine(Monetization.TestKit.TestPaths.RepositoryRoot, "Modules"), "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(ModuleProjects))]
    public void Module_project_references_only_the_building_blocks(string project)
    {
        var references = XDocument.Load(project).Descendants("ProjectReference")
            .Select(r => Path.GetFileName(r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
        Assert.That(references, Is.SubsetOf(AllowedProjectReferences), $"{Path.GetFileName(project)} references {string.Join(", ", references)}");
    }

    [TestCaseSource(nameof(ModuleAssemblies))]
    public void Module_assembly_references_no_other_module_and_not_the_host(Assembly module)
    {
        var forbidden = Modules.Where(m => m != module).Select(m => m.GetName().Name).Append("Monetization.Host").Append("Monetization.StripeEmulator").ToHashSet();
        var referenced = module.GetReferencedAssemblies().Select(a => a.Name).Where(forbidden.Contains).ToList();
        Assert.That(referenced, Is.Empty, $"{module.GetName().Name} references {string.Join(", ", referenced)}");
    }

    [TestCaseSource(nameof(ModuleAssemblies))]
    public void Module_declares_exactly_one_public_module_class(Assembly module)
    {
        var modules = module.GetTypes().Where(t => typeof(IModule).IsAssignableFrom(t) && !t.IsAbstract).ToList();
        Assert.That(modules, Has.Count.EqualTo(1));
        Assert.That(modules[0].IsPublic && modules[0].IsSealed, Is.True);
    }

    [TestCaseSource(nameof(ModuleAssemblies))]
    public void Request_and_notification_handlers_are_not_public(Assembly module)
    {
        var publicHandlers = module.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && (t.IsPublic || t.IsNestedPublic))
            .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IRequestHandler<,>) || i.GetGenericTypeDefinition() == typeof(INotificationHandler<>))))
            .Where(t => IsVisibleOutside(t))
            .Select(t => t.FullName)
            .ToList();
        Assert.That(publicHandlers, Is.Empty);
    }

    [TestCaseSource(nameof(ModuleAssemblies))]
    public void Every_integration_event_consumer_goes_through_the_idempotent_inbox(Assembly module)
    {
        var bypassing = module.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false })
            .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(INotificationHandler<>)
                && typeof(IIntegrationEvent).IsAssignableFrom(i.GetGenericArguments()[0])))
            .Where(t => !DerivesFromGeneric(t, typeof(IdempotentConsumer<,>)))
            .Select(t => t.FullName)
            .ToList();
        Assert.That(bypassing, Is.Empty, "consumers must derive from IdempotentConsumer<TEvent, TDbContext>");
    }

    [Test]
    public void Integration_events_are_sealed_records_with_id_time_and_no_settable_state()
    {
        var events = typeof(IIntegrationEvent).Assembly.GetTypes().Where(t => typeof(IIntegrationEvent).IsAssignableFrom(t) && t.IsClass).ToList();
        Assert.That(events, Is.Not.Empty);
        foreach (var type in events)
        {
            Assert.That(type.IsSealed, Is.True, $"{type.Name} is sealed");
            Assert.That(type.GetMethod("<Clone>$") is not null, Is.True, $"{type.Name} is a record");
            Assert.That(type.GetProperty(nameof(IIntegrationEvent.EventId))?.PropertyType, Is.EqualTo(typeof(Guid)), type.Name);
            Assert.That(type.GetProperty(nameof(IIntegrationEvent.OccurredAt))?.PropertyType, Is.EqualTo(typeof(DateTimeOffset)), type.Name);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var setter = property.SetMethod;
                Assert.That(setter is null || IsInitOnly(setter), Is.True, $"{type.Name}.{property.Name} has no settable state");
            }

            Assert.That(type.Name, Does.Match("(ed|Paid|Sent|Transition)$"), $"{type.Name} is named in the past tense");
        }
    }

    [Test]
    public void Every_integration_event_is_in_the_explicit_registry()
    {
        var events = typeof(IIntegrationEvent).Assembly.GetTypes().Where(t => typeof(IIntegrationEvent).IsAssignableFrom(t) && t.IsClass).ToHashSet();
        Assert.That(IntegrationEventTypes.All.Values.ToHashSet(), Is.EquivalentTo(events));
        Assert.That(IntegrationEventTypes.All.Keys, Has.All.Matches<string>(k => System.Text.RegularExpressions.Regex.IsMatch(k, "^[a-z]+\\.[a-z_]+$")));
    }

    [Test]
    public void Modules_do_not_reference_each_others_types_through_integration_events_either()
    {
        var eventAssembly = typeof(IIntegrationEvent).Assembly;
        var leaking = eventAssembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("Monetization.", StringComparison.Ordinal)).ToList();
        Assert.That(leaking, Is.Empty, "the event contracts depend on nothing of ours");
    }

    private static bool IsVisibleOutside(Type type)
    {
        for (var t = type; t is not null; t = t.DeclaringType)
        {
            if (!(t.IsPublic || t.IsNestedPublic))
            {
                return false;
            }
        }

        return true;
    }

    private static bool DerivesFromGeneric(Type type, Type generic)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == generic)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
}
