using Microsoft.Extensions.Configuration;
using Ticketing.Common.Storage;

namespace Ticketing.Common.Tests.Storage;

public sealed class StorageOptionsTests
{
    private static StorageOptions From(params (string Key, string Value)[] settings) =>
        StorageOptions.From(
            new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build(),
            "tickets");

    [Fact]
    public void WithoutMongoUri_UsesTheEmbeddedStoreUnderDotData()
    {
        var options = From();
        Assert.False(options.UsesMongo);
        Assert.Equal(Path.Combine(".data", "tickets"), options.DataDirectory);
    }

    [Fact]
    public void WithMongoUri_UsesMongo()
    {
        var options = From(("MONGO_URI", "mongodb://tickets-mongo:27017/tickets"));
        Assert.True(options.UsesMongo);
    }

    [Fact]
    public void DataDir_MovesTheEmbeddedFile()
    {
        Assert.Equal("/var/lib/tickets", From(("DATA_DIR", "/var/lib/tickets")).DataDirectory);
    }

    [Theory]
    [InlineData("0123456789abcdef01234567", true)]
    [InlineData("0123456789ABCDEF01234567", false)]
    [InlineData("0123456789abcdef0123456", false)]
    [InlineData("not-an-id", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void DocumentIds_ValidatesTheFormat(string? id, bool valid) => Assert.Equal(valid, DocumentIds.IsValid(id));

    [Fact]
    public void DocumentIds_New_IsValidAndUnique()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => DocumentIds.New()).ToList();
        Assert.All(ids, id => Assert.True(DocumentIds.IsValid(id)));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
