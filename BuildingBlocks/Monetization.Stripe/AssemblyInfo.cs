namespace Monetization.Stripe;
