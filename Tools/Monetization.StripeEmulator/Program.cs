// Standalone entry point of the Stripe emulator; see the project README for options.
Console.Error.WriteLine("The standalone emulator entry point is being built (issue 3).");
return 1;
