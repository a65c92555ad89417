using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Http;
using Monetization.BuildingBlocks.Outbox;
using Monetization.Dashboard.Pages;
using static Monetization.Dashboard.DashboardEndpoints;

namespace Monetization.Dashboard;

/// <summary>
/// Dead letters (<c>/dead-letters</c>, admin like <c>GET /v1/admin/dead_letters</c>): every module's dead-lettered
/// integration events and replay (what <c>POST /v1/admin/dead_letters/{module}/{sequence}/replay</c> does).
/// </summary>
internal static class DeadLetterPages
{
    public static async Task<IResult> ListAsync(HttpContext ctx, ProblemException? problem, int status)
    {
        var (op, denied) = await RequireAsync(ctx, admin: true);
        if (op is null)
        {
            return denied!;
        }

        var modules = new List<ModuleDeadLetters>();
        foreach (var dispatcher in ctx.RequestServices.GetServices<IOutboxDispatcher>())
        {
            modules.Add(new ModuleDeadLetters(
                dispatcher.Module,
                await dispatcher.GetStatsAsync(ctx.RequestAborted),
                await dispatcher.ListDeadLettersAsync(ctx.RequestAborted)));
        }

        var now = ctx.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        return Render<DeadLettersPage>(Frame(ctx, "Dead letters", "dead-letters", op, null, problem), new DeadLettersModel(modules, now), status);
    }

    public static async Task<IResult> ReplayAsync(HttpContext ctx, string module, string sequence)
    {
        var (op, denied) = await RequireAsync(ctx, admin: true);
        if (op is null)
        {
            return denied!;
        }

        var dispatcher = ctx.RequestServices.GetServices<IOutboxDispatcher>().FirstOrDefault(d => string.Equals(d.Module, module, StringComparison.OrdinalIgnoreCase));
        var problem = dispatcher is null ? ProblemException.NotFound("Module", module)
            : !long.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var row) || !await dispatcher.ReplayAsync(row, ctx.RequestAborted)
                ? ProblemException.NotFound("Dead letter", $"{module}/{sequence}")
                : null;
        return problem is null
            ? Done("/dead-letters", $"Replayed {dispatcher!.Module}/{sequence}: it is back in line with a fresh attempt budget.")
            : await ListAsync(ctx, problem, problem.Status);
    }
}

/// <summary>One module's outbox and dead letters.</summary>
/// <param name="Module">Module name.</param>
/// <param name="Stats">Its row of <c>GET /v1/admin/outbox</c>.</param>
/// <param name="DeadLetters">Its rows of <c>GET /v1/admin/dead_letters</c>.</param>
internal sealed record ModuleDeadLetters(string Module, OutboxStats Stats, IReadOnlyList<DeadLetter> DeadLetters);

/// <summary>What the dead-letters page shows.</summary>
/// <param name="Modules">Every module.</param>
/// <param name="Now">The Host's clock, UTC.</param>
internal sealed record DeadLettersModel(IReadOnlyList<ModuleDeadLetters> Modules, DateTimeOffset Now);
