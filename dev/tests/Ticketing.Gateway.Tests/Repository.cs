namespace Ticketing.Gateway.Tests;

/// <summary>Files of this repository, found from the test's output folder upwards (the folder holding Ticketing.slnx).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ticketing.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Ticketing.slnx above {AppContext.BaseDirectory}");
    }
}
