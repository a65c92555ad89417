using MediatR;

namespace Monetization.BuildingBlocks.Mediation;

/// <summary>
/// MediatR 5.1.0's mediator with one change: <see cref="PublishCore"/> runs every notification handler even when an
/// earlier one fails, then throws <see cref="NotificationHandlersFailedException"/> listing every failure (MediatR 5
/// stops at the first). The outbox relies on this: one failing consumer must not starve the others.
/// </summary>
public sealed class AllHandlersMediator(ServiceFactory serviceFactory) : Mediator(serviceFactory)
{
    /// <summary>Awaits each handler's task in turn, collecting failures.</summary>
    /// <exception cref="NotificationHandlersFailedException">One or more handlers failed.</exception>
    protected override async Task PublishCore(IEnumerable<Task> allHandlers)
    {
        ArgumentNullException.ThrowIfNull(allHandlers);
        List<Exception>? failures = null;
        using var handlers = allHandlers.GetEnumerator();
        while (true)
        {
            Task task;
            try
            {
                if (!handlers.MoveNext())
                {
                    break;
                }

                task = handlers.Current;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A handler that throws synchronously (while its task is created) fails alone; the others still run.
                (failures ??= []).Add(e);
                continue;
            }

            try
            {
                await task;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                (failures ??= []).Add(e);
            }
        }

        if (failures is not null)
        {
            throw new NotificationHandlersFailedException(failures);
        }
    }
}

/// <summary>One or more notification handlers failed during a publish; <see cref="AggregateException.InnerExceptions"/> lists them.</summary>
public sealed class NotificationHandlersFailedException : AggregateException
{
    /// <summary>Creates the exception from the handlers' failures.</summary>
    public NotificationHandlersFailedException(IEnumerable<Exception> failures)
        : base($"{failures.Count()} notification handler(s) failed.", failures)
    {
    }

    /// <summary>Creates an empty instance.</summary>
    public NotificationHandlersFailedException()
    {
    }

    /// <summary>Creates an instance with a message.</summary>
    public NotificationHandlersFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an instance with a message and one inner exception.</summary>
    public NotificationHandlersFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
