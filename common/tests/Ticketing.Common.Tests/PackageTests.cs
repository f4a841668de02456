using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using Ticketing.Common.Events;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Common.Tests;

/// <summary><c>dotnet pack</c> produces the Ticketing.Common package with every event contract in it.</summary>
public sealed class PackageTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task Pack_ProducesTheNupkg_WithTheEventContracts()
    {
        using var output = new TempDirectory("ticketing-pack");
        var project = RepositoryRoot.PathOf("common", "src", "Ticketing.Common", "Ticketing.Common.csproj");
        Assert.True(File.Exists(project), $"expected the project at {project}");

        var pack = Process.Start(new ProcessStartInfo("dotnet", ["pack", project, "-c", Configuration, "--no-build", "-o", output.Path, "--nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = await pack.StandardOutput.ReadToEndAsync() + await pack.StandardError.ReadToEndAsync();
        await pack.WaitForExitAsync();
        Assert.True(pack.ExitCode == 0, log);

        var version = typeof(EventJson).Assembly.GetName().Version!;
        var nupkg = Path.Combine(output.Path, $"Ticketing.Common.{version.Major}.{version.Minor}.{version.Build}.nupkg");
        Assert.True(File.Exists(nupkg), $"no {Path.GetFileName(nupkg)} in: {string.Join(", ", Directory.GetFiles(output.Path).Select(Path.GetFileName))}");

        using var zip = ZipFile.OpenRead(nupkg);
        var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        Assert.Equal("Ticketing.Common", nuspec.Descendants().Single(e => e.Name.LocalName == "id").Value);

        await using var dll = zip.GetEntry("lib/net10.0/Ticketing.Common.dll")!.Open();
        using var copy = new MemoryStream();
        await dll.CopyToAsync(copy);
        copy.Position = 0;
        using var pe = new PEReader(copy);
        var reader = pe.GetMetadataReader();
        var types = reader.TypeDefinitions.Select(h => reader.GetString(reader.GetTypeDefinition(h).Name)).ToHashSet();
        Assert.All(Events.KnownEvents.All, e => Assert.Contains(e.Type.Name, types));
        Assert.All(Events.KnownEvents.All, e => Assert.NotNull(zip.GetEntry($"samples/events/{e.Subject}.json")));
    }
}
