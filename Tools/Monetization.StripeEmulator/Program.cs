namespace Monetization.StripeEmulator;

/// <summary>Standalone entry point of the Stripe emulator (namespaced so it never collides with the Host's <c>Program</c>).</summary>
internal static class EmulatorProgram
{
    private static int Main()
    {
        Console.Error.WriteLine("The standalone emulator entry point is being built (issue 3).");
        return 1;
    }
}
