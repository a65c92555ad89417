using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Monetization.Stripe.Tests")]

namespace Monetization.Stripe;
