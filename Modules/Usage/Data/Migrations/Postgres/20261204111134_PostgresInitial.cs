using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Monetization.Usage.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PostgresInitial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "usage");

            migrationBuilder.CreateTable(
                name: "CreditGrants",
                schema: "usage",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Amount = table.Column<long>(type: "bigint", nullable: false),
                    Remaining = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "text", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Reason = table.Column<string>(type: "text", nullable: false),
                    Source = table.Column<string>(type: "text", nullable: false),
                    CheckoutSessionId = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CreditGrants", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CreditLedgerEntries",
                schema: "usage",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Type = table.Column<string>(type: "text", nullable: false),
                    Amount = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "text", nullable: false),
                    GrantId = table.Column<string>(type: "text", nullable: false),
                    UsageInvoiceId = table.Column<string>(type: "text", nullable: true),
                    Description = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CreditLedgerEntries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InboxMessages",
                schema: "usage",
                columns: table => new
                {
                    EventId = table.Column<Guid>(type: "uuid", nullable: false),
                    Consumer = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ProcessedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboxMessages", x => new { x.EventId, x.Consumer });
                });

            migrationBuilder.CreateTable(
                name: "OutboxMessages",
                schema: "usage",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    EventId = table.Column<Guid>(type: "uuid", nullable: false),
                    Type = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Payload = table.Column<string>(type: "text", nullable: false),
                    OccurredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DispatchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DeadLetteredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "text", nullable: true),
                    LockedUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LockedBy = table.Column<string>(type: "text", nullable: true),
                    TraceParent = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboxMessages", x => x.Sequence);
                });

            migrationBuilder.CreateTable(
                name: "PluginPrices",
                schema: "usage",
                columns: table => new
                {
                    PluginId = table.Column<string>(type: "text", nullable: false),
                    Currency = table.Column<string>(type: "text", nullable: false),
                    UnitAmountDecimal = table.Column<string>(type: "text", nullable: false),
                    InputUnitAmountDecimal = table.Column<string>(type: "text", nullable: true),
                    OutputUnitAmountDecimal = table.Column<string>(type: "text", nullable: true),
                    PricedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PluginPrices", x => x.PluginId);
                });

            migrationBuilder.CreateTable(
                name: "QuotaAllocations",
                schema: "usage",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Resource = table.Column<string>(type: "text", nullable: false),
                    Key = table.Column<string>(type: "text", nullable: false),
                    AcquiredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QuotaAllocations", x => new { x.UserId, x.Resource, x.Key });
                });

            migrationBuilder.CreateTable(
                name: "QuotaSlotGrants",
                schema: "usage",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Resource = table.Column<string>(type: "text", nullable: false),
                    Slots = table.Column<long>(type: "bigint", nullable: false),
                    CheckoutSessionId = table.Column<string>(type: "text", nullable: false),
                    Amount = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QuotaSlotGrants", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ThresholdAlerts",
                schema: "usage",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Meter = table.Column<string>(type: "text", nullable: false),
                    Period = table.Column<string>(type: "text", nullable: false),
                    Threshold = table.Column<int>(type: "integer", nullable: false),
                    Used = table.Column<long>(type: "bigint", nullable: false),
                    Limit = table.Column<long>(type: "bigint", nullable: false),
                    CrossedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ResolvedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ThresholdAlerts", x => new { x.UserId, x.Period, x.Meter, x.Threshold });
                });

            migrationBuilder.CreateTable(
                name: "UsageAccounts",
                schema: "usage",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Plan = table.Column<string>(type: "text", nullable: false),
                    PlanVersion = table.Column<long>(type: "bigint", nullable: false),
                    ProjectsLimit = table.Column<long>(type: "bigint", nullable: true),
                    DeploysLimit = table.Column<long>(type: "bigint", nullable: true),
                    ApiCallsLimit = table.Column<long>(type: "bigint", nullable: true),
                    TokensLimit = table.Column<long>(type: "bigint", nullable: true),
                    StripeCustomerId = table.Column<string>(type: "text", nullable: true),
                    StripeSubscriptionId = table.Column<string>(type: "text", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageAccounts", x => x.UserId);
                });

            migrationBuilder.CreateTable(
                name: "UsageCheckouts",
                schema: "usage",
                columns: table => new
                {
                    SessionId = table.Column<string>(type: "text", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Purpose = table.Column<string>(type: "text", nullable: false),
                    Package = table.Column<string>(type: "text", nullable: true),
                    Resource = table.Column<string>(type: "text", nullable: true),
                    Quantity = table.Column<long>(type: "bigint", nullable: false),
                    Amount = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "text", nullable: false),
                    CreditExpiresAfterDays = table.Column<int>(type: "integer", nullable: true),
                    Status = table.Column<string>(type: "text", nullable: false),
                    Url = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageCheckouts", x => x.SessionId);
                });

            migrationBuilder.CreateTable(
                name: "UsageEvents",
                schema: "usage",
                columns: table => new
                {
                    EventId = table.Column<string>(type: "text", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Meter = table.Column<string>(type: "text", nullable: false),
                    Quantity = table.Column<long>(type: "bigint", nullable: false),
                    Timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Period = table.Column<string>(type: "text", nullable: false),
                    Properties = table.Column<string>(type: "text", nullable: true),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageEvents", x => x.EventId);
                });

            migrationBuilder.CreateTable(
                name: "UsageInvoiceRuns",
                schema: "usage",
                columns: table => new
                {
                    Period = table.Column<string>(type: "text", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    InvoicesCreated = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageInvoiceRuns", x => x.Period);
                });

            migrationBuilder.CreateTable(
                name: "UsageInvoices",
                schema: "usage",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    Number = table.Column<string>(type: "text", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Period = table.Column<string>(type: "text", nullable: false),
                    Currency = table.Column<string>(type: "text", nullable: false),
                    Subtotal = table.Column<long>(type: "bigint", nullable: false),
                    CreditsApplied = table.Column<long>(type: "bigint", nullable: false),
                    AmountDue = table.Column<long>(type: "bigint", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false),
                    StripeInvoiceId = table.Column<string>(type: "text", nullable: true),
                    StripeCreditItemId = table.Column<string>(type: "text", nullable: true),
                    StripeStatus = table.Column<string>(type: "text", nullable: true),
                    PaymentAttempts = table.Column<int>(type: "integer", nullable: false),
                    LastError = table.Column<string>(type: "text", nullable: true),
                    LockedUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PaidAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageInvoices", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "UsageRollups",
                schema: "usage",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Period = table.Column<string>(type: "text", nullable: false),
                    Meter = table.Column<string>(type: "text", nullable: false),
                    Dimensions = table.Column<string>(type: "text", nullable: false),
                    Used = table.Column<long>(type: "bigint", nullable: false),
                    InputTokens = table.Column<long>(type: "bigint", nullable: false),
                    OutputTokens = table.Column<long>(type: "bigint", nullable: false),
                    Events = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageRollups", x => new { x.UserId, x.Period, x.Meter, x.Dimensions });
                });

            migrationBuilder.CreateTable(
                name: "UsageUniqueValues",
                schema: "usage",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Period = table.Column<string>(type: "text", nullable: false),
                    Meter = table.Column<string>(type: "text", nullable: false),
                    Dimensions = table.Column<string>(type: "text", nullable: false),
                    Value = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageUniqueValues", x => new { x.UserId, x.Period, x.Meter, x.Dimensions, x.Value });
                });

            migrationBuilder.CreateTable(
                name: "UsageInvoiceLines",
                schema: "usage",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    InvoiceId = table.Column<string>(type: "text", nullable: false),
                    LineNumber = table.Column<int>(type: "integer", nullable: false),
                    Meter = table.Column<string>(type: "text", nullable: false),
                    Model = table.Column<string>(type: "text", nullable: true),
                    PluginId = table.Column<string>(type: "text", nullable: true),
                    InputTokens = table.Column<long>(type: "bigint", nullable: false),
                    OutputTokens = table.Column<long>(type: "bigint", nullable: false),
                    Quantity = table.Column<long>(type: "bigint", nullable: false),
                    PriceSource = table.Column<string>(type: "text", nullable: false, defaultValue: "model"),
                    InputUnitAmountDecimal = table.Column<string>(type: "text", nullable: false, defaultValue: "0"),
                    OutputUnitAmountDecimal = table.Column<string>(type: "text", nullable: false, defaultValue: "0"),
                    Amount = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "text", nullable: false),
                    Description = table.Column<string>(type: "text", nullable: false),
                    StripeInvoiceItemId = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageInvoiceLines", x => x.Id);
                    table.ForeignKey(
                        name: "FK_UsageInvoiceLines_UsageInvoices_InvoiceId",
                        column: x => x.InvoiceId,
                        principalSchema: "usage",
                        principalTable: "UsageInvoices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CreditGrants_CheckoutSessionId",
                schema: "usage",
                table: "CreditGrants",
                column: "CheckoutSessionId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CreditGrants_UserId",
                schema: "usage",
                table: "CreditGrants",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_CreditLedgerEntries_UserId_CreatedAt",
                schema: "usage",
                table: "CreditLedgerEntries",
                columns: new[] { "UserId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_DispatchedAt_NextAttemptAt",
                schema: "usage",
                table: "OutboxMessages",
                columns: new[] { "DispatchedAt", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_EventId",
                schema: "usage",
                table: "OutboxMessages",
                column: "EventId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QuotaSlotGrants_CheckoutSessionId",
                schema: "usage",
                table: "QuotaSlotGrants",
                column: "CheckoutSessionId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QuotaSlotGrants_UserId_Resource",
                schema: "usage",
                table: "QuotaSlotGrants",
                columns: new[] { "UserId", "Resource" });

            migrationBuilder.CreateIndex(
                name: "IX_UsageCheckouts_UserId",
                schema: "usage",
                table: "UsageCheckouts",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_UsageInvoiceLines_InvoiceId",
                schema: "usage",
                table: "UsageInvoiceLines",
                column: "InvoiceId");

            migrationBuilder.CreateIndex(
                name: "IX_UsageInvoices_Number",
                schema: "usage",
                table: "UsageInvoices",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_UsageInvoices_Period_Status",
                schema: "usage",
                table: "UsageInvoices",
                columns: new[] { "Period", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_UsageInvoices_UserId_Period",
                schema: "usage",
                table: "UsageInvoices",
                columns: new[] { "UserId", "Period" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CreditGrants",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "CreditLedgerEntries",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "InboxMessages",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "OutboxMessages",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "PluginPrices",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "QuotaAllocations",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "QuotaSlotGrants",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "ThresholdAlerts",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "UsageAccounts",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "UsageCheckouts",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "UsageEvents",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "UsageInvoiceLines",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "UsageInvoiceRuns",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "UsageRollups",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "UsageUniqueValues",
                schema: "usage");

            migrationBuilder.DropTable(
                name: "UsageInvoices",
                schema: "usage");
        }
    }
}
