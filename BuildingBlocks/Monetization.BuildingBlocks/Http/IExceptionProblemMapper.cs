namespace Monetization.BuildingBlocks.Http;

/// <summary>
/// Maps a failure from outside the API (e.g. Stripe, issue 16) to the problem the request answers with. Registered in
/// DI; <see cref="ProblemDetailsMiddleware"/> asks every mapper before its own rules, so a route never needs to catch such
/// a failure only to translate it.
/// </summary>
public interface IExceptionProblemMapper
{
    /// <summary>The problem for <paramref name="exception"/>, or null when this mapper does not know it.</summary>
    ProblemException? ToProblem(Exception exception);
}
