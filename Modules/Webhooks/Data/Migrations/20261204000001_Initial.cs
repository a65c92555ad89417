using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Webhooks.Data.Migrations;

/// <summary>Hand-written initial schema of the Webhooks module (issue 18).</summary>
[DbContext(typeof(WebhooksDbContext))]
[Migration("20261204000001_Initial")]
internal sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateOutboxAndInbox();

        migrationBuilder.CreateTable(
            name: "WebhookEndpoints",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", nullable: false),
                Url = t.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                EventTypes = t.Column<string>(type: "TEXT", nullable: false),
                Description = t.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                Enabled = t.Column<bool>(type: "INTEGER", nullable: false),
                DisabledReason = t.Column<string>(type: "TEXT", nullable: true),
                DisabledAt = t.Column<long>(type: "INTEGER", nullable: true),
                Secret = t.Column<string>(type: "TEXT", nullable: false),
                PreviousSecret = t.Column<string>(type: "TEXT", nullable: true),
                PreviousSecretExpiresAt = t.Column<long>(type: "INTEGER", nullable: true),
                FailingSince = t.Column<long>(type: "INTEGER", nullable: true),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
                UpdatedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_WebhookEndpoints", x => x.Id));

        migrationBuilder.CreateTable(
            name: "WebhookMessages",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", nullable: false),
                Type = t.Column<string>(type: "TEXT", nullable: false),
                UserId = t.Column<string>(type: "TEXT", nullable: true),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
                Payload = t.Column<string>(type: "TEXT", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_WebhookMessages", x => x.Id));

        migrationBuilder.CreateTable(
            name: "WebhookDeliveries",
            columns: t => new
            {
                Sequence = t.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                Id = t.Column<string>(type: "TEXT", nullable: false),
                EndpointId = t.Column<string>(type: "TEXT", nullable: false),
                MessageId = t.Column<string>(type: "TEXT", nullable: false),
                EventType = t.Column<string>(type: "TEXT", nullable: false),
                Status = t.Column<string>(type: "TEXT", nullable: false),
                Attempts = t.Column<int>(type: "INTEGER", nullable: false),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
                GiveUpAt = t.Column<long>(type: "INTEGER", nullable: false),
                NextAttemptAt = t.Column<long>(type: "INTEGER", nullable: true),
                LeaseUntil = t.Column<long>(type: "INTEGER", nullable: true),
                LastAttemptAt = t.Column<long>(type: "INTEGER", nullable: true),
                LastStatusCode = t.Column<int>(type: "INTEGER", nullable: true),
                LastResponseBody = t.Column<string>(type: "TEXT", nullable: true),
                LastError = t.Column<string>(type: "TEXT", nullable: true),
                DeliveredAt = t.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_WebhookDeliveries", x => x.Sequence));
        migrationBuilder.CreateIndex("IX_WebhookDeliveries_Id", "WebhookDeliveries", "Id", unique: true);
        migrationBuilder.CreateIndex("IX_WebhookDeliveries_EndpointId_MessageId", "WebhookDeliveries", ["EndpointId", "MessageId"], unique: true);
        migrationBuilder.CreateIndex("IX_WebhookDeliveries_Status_NextAttemptAt", "WebhookDeliveries", ["Status", "NextAttemptAt"]);
        migrationBuilder.CreateIndex("IX_WebhookDeliveries_EndpointId_Sequence", "WebhookDeliveries", ["EndpointId", "Sequence"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("WebhookDeliveries");
        migrationBuilder.DropTable("WebhookMessages");
        migrationBuilder.DropTable("WebhookEndpoints");
    }
}
