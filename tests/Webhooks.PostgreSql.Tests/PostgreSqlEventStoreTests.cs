using System;
using Webhooks.Storage;
using Webhooks.Tests.Storage;

namespace Webhooks.PostgreSql.Tests;

/// <summary>The event store contract, unchanged, on a real PostgreSQL: each test has a schema of its own.</summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class PostgreSqlEventStoreTests(PostgreSqlServer server) : EventStoreContractTests
{
    protected override IWebhookEventStore CreateStore(TimeSpan? processedRetention = null, int? maxEvents = null, long? maxBytes = null) =>
        new PostgreSqlEventStore(server.DataSource, server.NewSchema(), processedRetention ?? Retention, maxEvents, maxBytes) { TestClock = Clock };
}
