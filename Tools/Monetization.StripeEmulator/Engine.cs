using Microsoft.Extensions.Logging;
using Monetization.StripeEmulator.Billing;
using Monetization.StripeEmulator.Connect;
using Monetization.StripeEmulator.Events;
using Monetization.StripeEmulator.State;
using Monetization.StripeEmulator.Testing;
using Monetization.StripeEmulator.Webhooks;

namespace Monetization.StripeEmulator;

/// <summary>
/// The emulator's core: state, clock, services. Every state change runs inside <see cref="Mutate{T}"/>, which holds the lock,
/// collects the events produced and queues them for delivery; webhooks are only sent after the lock is released.
/// </summary>
internal sealed class Engine : IDisposable
{
    private readonly Persistence _persistence;

    public Engine(StripeEmulatorOptions options, ILogger logger)
    {
        Logger = logger;
        _persistence = new Persistence(options.StatePath);
        Store = new Store(_persistence.Load());
        Clock = new EmulatorClock(options.BaseClock ?? TimeProvider.System) { Offset = TimeSpan.FromTicks(Store.Data.ClockOffsetTicks) };
        Events = new EventRecorder(Store, Clock);
        var secret = string.IsNullOrWhiteSpace(options.WebhookSecret) ? Signature.NewSecret() : options.WebhookSecret;
        Delivery = new Delivery(Clock, secret, logger);
        PublicBaseUrl = options.PublicBaseUrl.TrimEnd('/');
        Faults = new Faults();
        Payments = new Payments(this);
        Invoicing = new Invoicing(this);
        Subscriptions = new SubscriptionService(this);
        Lifecycle = new Lifecycle(this);
        Checkout = new CheckoutFlow(this);
        Balances = new Balances(this);
        Onboarding = new Onboarding(this);
        ConfigureWebhooks(options.WebhookUrl, options.WebhookHandlerFactory);
    }

    public object Gate { get; } = new();

    public ILogger Logger { get; }

    public Store Store { get; }

    public EmulatorClock Clock { get; }

    public EventRecorder Events { get; }

    public Delivery Delivery { get; }

    public string PublicBaseUrl { get; }

    public Faults Faults { get; }

    public Payments Payments { get; }

    public Invoicing Invoicing { get; }

    public SubscriptionService Subscriptions { get; }

    public Lifecycle Lifecycle { get; }

    public CheckoutFlow Checkout { get; }

    public Balances Balances { get; }

    public Onboarding Onboarding { get; }

    public long Now => Clock.NowUnix;

    public void ConfigureWebhooks(Uri? url, Func<HttpMessageHandler>? handlerFactory)
    {
        Delivery.Configure(url, handlerFactory);
        Events.WebhooksConfigured = url is not null;
    }

    /// <summary>Runs a state change under the lock: first whatever is due on the clock, then <paramref name="action"/>.</summary>
    public T Mutate<T>(RequestInfo? request, Func<T> action, bool save = true)
    {
        lock (Gate)
        {
            try
            {
                Lifecycle.RunDue(Now);
                Events.Request = request;
                return action();
            }
            finally
            {
                Events.Request = null;
                var batch = Events.TakePending();
                Delivery.Enqueue(batch);
                if (save || batch.Count > 0)
                {
                    Save();
                }
            }
        }
    }

    /// <summary>Runs clock-driven work step by step up to <paramref name="target"/>, delivering each step's events before the next.</summary>
    public async Task AdvanceToAsync(long target, CancellationToken cancellationToken)
    {
        while (true)
        {
            bool more;
            lock (Gate)
            {
                more = Lifecycle.RunNextStep(target);
                if (!more)
                {
                    Clock.MoveTo(target);
                }

                Delivery.Enqueue(Events.TakePending());
                Save();
            }

            await Delivery.DeliverPendingAsync(cancellationToken).ConfigureAwait(false);
            if (!more)
            {
                return;
            }
        }
    }

    public void Save()
    {
        Store.Data.ClockOffsetTicks = Clock.Offset.Ticks;
        try
        {
            _persistence.Save(Store.Data);
        }
        catch (IOException ex)
        {
            Logger.LogError(ex, "Could not persist emulator state");
        }
    }

    public void Dispose() => Delivery.Dispose();
}
