using Monetization.StripeEmulator.Http;

namespace Monetization.StripeEmulator.Billing;

/// <summary>How a test card behaves.</summary>
internal enum CardBehaviour
{
    /// <summary>Every charge succeeds.</summary>
    Succeed,

    /// <summary>Attaches and succeeds on-session; every later off-session charge is declined (4000000000000341).</summary>
    FailOffSession,

    /// <summary>Every charge is declined.</summary>
    Decline,
}

/// <summary>A Stripe test card number and its behaviour.</summary>
internal sealed record TestCard(string Number, string Brand, CardBehaviour Behaviour, string Code, string DeclineCode, string Message)
{
    public string Last4 => Number[^4..];

    /// <summary>Stripe's test cards; any other Luhn-valid number behaves like 4242.</summary>
    public static TestCard Resolve(string? input)
    {
        var number = new string((input ?? string.Empty).Where(char.IsDigit).ToArray());
        if (number.Length is < 12 or > 19 || !Luhn(number))
        {
            throw new ApiException(402, "card_error", "Your card number is incorrect.", "incorrect_number", "number");
        }

        return number switch
        {
            "4000000000000341" => new(number, "visa", CardBehaviour.FailOffSession, "card_declined", "generic_decline", "Your card was declined."),
            "4000000000009995" => new(number, "visa", CardBehaviour.Decline, "card_declined", "insufficient_funds", "Your card has insufficient funds."),
            "4000000000000002" => new(number, "visa", CardBehaviour.Decline, "card_declined", "generic_decline", "Your card was declined."),
            "4000000000009987" => new(number, "visa", CardBehaviour.Decline, "card_declined", "lost_card", "Your card was declined."),
            "4000000000000069" => new(number, "visa", CardBehaviour.Decline, "expired_card", "expired_card", "Your card has expired."),
            _ => new(number, BrandOf(number), CardBehaviour.Succeed, string.Empty, string.Empty, string.Empty),
        };
    }

    public bool Declines(bool offSession) => Behaviour switch
    {
        CardBehaviour.Decline => true,
        CardBehaviour.FailOffSession => offSession,
        _ => false,
    };

    private static string BrandOf(string number) => number[0] switch
    {
        '4' => "visa",
        '5' or '2' => "mastercard",
        '3' => "amex",
        '6' => "discover",
        _ => "unknown",
    };

    private static bool Luhn(string number)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = number.Length - 1; i >= 0; i--)
        {
            var d = number[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }
}
