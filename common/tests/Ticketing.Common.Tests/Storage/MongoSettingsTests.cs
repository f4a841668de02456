using Microsoft.Extensions.Configuration;
using MongoDB.Driver;
using Ticketing.Common.Hosting;
using Ticketing.Common.Storage;
using Ticketing.Common.Storage.Mongo;
using Ticketing.Common.Testing.Storage;

namespace Ticketing.Common.Tests.Storage;

/// <summary>
/// MongoDB durability defaults and the test backend's connection string. No server needed: the driver connects
/// lazily, so the settings can be read from a client that never connects.
/// </summary>
public sealed class MongoSettingsTests
{
    private static StorageOptions From(params (string Key, string Value)[] settings) =>
        StorageOptions.From(
            new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build(),
            "tickets");

    [Fact]
    public void MongoWrites_ByDefault_AreMajorityJournaledAndRetryable()
    {
        using var database = (MongoDocumentDatabase)From(("MONGO_URI", "mongodb://tickets-mongo:27017")).Open();

        Assert.Equal(WriteConcern.WMajority.W, database.Settings.WriteConcern.W);
        Assert.True(database.Settings.WriteConcern.Journal);
        Assert.True(database.Settings.RetryWrites);
        Assert.Equal(WriteConcern.WMajority.W, database.Database.Settings.WriteConcern.W);
    }

    [Fact]
    public void MongoWrites_AreConfigurable()
    {
        using var database = (MongoDocumentDatabase)From(
            ("MONGO_URI", "mongodb://tickets-mongo:27017"),
            ("MONGO_WRITE_CONCERN", "1"),
            ("MONGO_JOURNAL", "false"),
            ("MONGO_RETRY_WRITES", "false")).Open();

        Assert.Equal(new WriteConcern(1).W, database.Settings.WriteConcern.W);
        Assert.False(database.Settings.WriteConcern.Journal);
        Assert.False(database.Settings.RetryWrites);
    }

    [Fact]
    public void MongoWriteConcern_Invalid_FailsAtStartNamingTheSetting()
    {
        var error = Assert.Throws<InvalidSettingException>(() => From(("MONGO_WRITE_CONCERN", "most")));
        Assert.Equal("MONGO_WRITE_CONCERN", error.Setting);
    }

    [Theory]
    [InlineData("mongodb://mongo:mongo@127.0.0.1:32768", "admin")] // Testcontainers' URI: the user lives in admin
    [InlineData("mongodb://mongo:mongo@127.0.0.1:32768/", "admin")]
    [InlineData("mongodb://svc:pw@db:27017/tickets", "tickets")] // the URI's own database was the auth database
    [InlineData("mongodb://svc:pw@db:27017/tickets?authSource=users", "users")]
    public void TestDatabaseUrl_KeepsAuthenticatingWhereTheUriDid(string uri, string authSource)
    {
        var url = MongoUrl.Create(MongoStoreBackend.TestDatabaseUrl(uri, "test_x"));

        Assert.Equal("test_x", url.DatabaseName);
        Assert.Equal(authSource, url.AuthenticationSource);
    }

    [Fact]
    public void TestDatabaseUrl_WithoutCredentials_AddsNoAuthSource()
    {
        var url = MongoUrl.Create(MongoStoreBackend.TestDatabaseUrl("mongodb://localhost:27017/?replicaSet=rs0", "test_y"));
        Assert.Equal("test_y", url.DatabaseName);
        Assert.Null(url.AuthenticationSource);
        Assert.Equal("rs0", url.ReplicaSetName);
    }
}
