using Monetization.BuildingBlocks.Http;

namespace Monetization.Dashboard;

/// <summary>What every page's layout needs: title, the signed-in operator, the CSRF token for its forms, a notice and a problem.</summary>
/// <param name="Title">The page's title (also its first heading).</param>
/// <param name="Section">Navigation entry to mark current (<c>overview</c>, <c>users</c>, <c>stripe-events</c>, <c>dead-letters</c>, <c>marketplace</c>).</param>
/// <param name="Operator">The signed-in operator; null on the sign-in page.</param>
/// <param name="CsrfField">Name of the hidden antiforgery field every form posts.</param>
/// <param name="CsrfToken">Its value for this request.</param>
/// <param name="Notice">A confirmation after an action (<c>?notice=</c>), shown in a status region.</param>
/// <param name="Problem">The problem an action or a read answered with, shown as the API would answer it (status, title, detail, field errors).</param>
public sealed record PageFrame(string Title, string Section, DashboardOperator? Operator, string CsrfField, string CsrfToken, string? Notice, ProblemException? Problem);
