namespace Webhooks.PostgreSql;

/// <summary>Where the PostgreSQL stores live; bound from <c>Webhooks:PostgreSql</c>.</summary>
public sealed class WebhookPostgreSqlOptions
{
    /// <summary>Gets or sets the Npgsql connection string (<c>Webhooks:PostgreSql:ConnectionString</c>).</summary>
    /// <value>Required unless an <c>NpgsqlDataSource</c> is registered in the services, which is then used.</value>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the schema of the tables (<c>Webhooks:PostgreSql:Schema</c>): lower-case letters, digits and <c>_</c>.</summary>
    /// <value><c>webhooks</c> by default.</value>
    public string Schema { get; set; } = WebhookPostgreSqlSchema.DefaultSchema;

    /// <summary>
    /// Gets or sets a value indicating whether the schema is created or brought up to date at start-up
    /// (<c>Webhooks:PostgreSql:MigrateOnStart</c>). Turn it off to apply <see cref="WebhookPostgreSqlSchema.GetScript"/> with your
    /// own migration tool; start-up then checks that the schema is at <see cref="WebhookPostgreSqlSchema.Version"/>.
    /// </summary>
    /// <value><see langword="true"/> by default.</value>
    public bool MigrateOnStart { get; set; } = true;
}
