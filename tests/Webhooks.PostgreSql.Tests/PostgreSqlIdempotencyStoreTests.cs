using Webhooks.Idempotency;
using Webhooks.Tests.Idempotency;

namespace Webhooks.PostgreSql.Tests;

/// <summary>The idempotency store contract, unchanged, on a real PostgreSQL.</summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class PostgreSqlIdempotencyStoreTests(PostgreSqlServer server) : IdempotencyStoreContractTests
{
    protected override IIdempotencyStore CreateStore() => new PostgreSqlIdempotencyStore(server.DataSource, server.NewSchema()) { TestClock = Clock };
}
