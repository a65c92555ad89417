using System.Reflection;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Monetization.BuildingBlocks.Mediation;

/// <summary>
/// MediatR 5.1.0 has no DI helper: this registers the mediator once and scans each module assembly for its request
/// handlers, notification handlers (consumers) and validators, public or not.
/// </summary>
public static class MediatorRegistration
{
    private static readonly Type[] HandlerInterfaces =
    [
        typeof(IRequestHandler<,>),
        typeof(INotificationHandler<>),
        typeof(IValidator<>),
    ];

    /// <summary>Registers the mediator, its service factory and the validation behavior (idempotent).</summary>
    public static IServiceCollection AddMediatorCore(this IServiceCollection services)
    {
        services.TryAddScoped<ServiceFactory>(sp => sp.GetService!);
        services.TryAddScoped<IMediator, AllHandlersMediator>();
        services.TryAddEnumerable(ServiceDescriptor.Transient(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>)));
        return services;
    }

    /// <summary>
    /// Registers every concrete handler in <paramref name="assembly"/> as transient and every validator as a singleton,
    /// under each of its closed handler interfaces.
    /// </summary>
    public static IServiceCollection AddHandlersFrom(this IServiceCollection services, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        services.AddMediatorCore();
        foreach (var type in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false }))
        {
            foreach (var contract in type.GetInterfaces().Where(IsHandlerInterface))
            {
                // Validators are built once: each one's constructor builds its rules (FluentValidation's rule objects and
                // delegates), which per request was about a seventh of what a read allocated (issue 22). They are stateless and
                // depend only on singletons (catalogs, options, the clock); a scoped dependency fails the container's
                // scope validation at start in Development and in the tests.
                services.TryAddEnumerable(contract.GetGenericTypeDefinition() == typeof(IValidator<>)
                    ? ServiceDescriptor.Singleton(contract, type)
                    : ServiceDescriptor.Transient(contract, type));
            }
        }

        return services;
    }

    private static bool IsHandlerInterface(Type type) =>
        type.IsGenericType && HandlerInterfaces.Contains(type.GetGenericTypeDefinition());
}
