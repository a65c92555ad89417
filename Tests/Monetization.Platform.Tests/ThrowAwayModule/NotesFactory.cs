using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Modules;
using Monetization.TestKit;

namespace Monetization.Platform.Tests.ThrowAwayModule;

/// <summary>The test Host plus the throw-away Notes module.</summary>
public sealed class NotesFactory : MonetizationFactory
{
    public NotesFactory(string? dataDirectory = null, bool autoDispatch = false)
        : base(dataDirectory)
    {
        WithSetting("Outbox:AutoStart", autoDispatch ? "true" : "false");
    }

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices((context, services) => services.AddModule(new NotesModule(), context.Configuration, context.HostingEnvironment));
    }

    public ConsumerLog Log => Services.GetRequiredService<ConsumerLog>();

    public async Task<string> WriteNoteAsync(string text, bool failBeforeCommit = false)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new WriteNote.Request(text, failBeforeCommit));
    }

    public async Task<T> QueryAsync<T>(Func<NotesDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<NotesDbContext>());
    }

    public Task<int> PendingOutboxAsync() => QueryAsync(db => db.Outbox.CountAsync(m => m.DispatchedAt == null));
}
