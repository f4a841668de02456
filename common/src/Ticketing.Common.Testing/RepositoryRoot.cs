namespace Ticketing.Common.Testing;

/// <summary>
/// The repository's files, for tests that check them (Dockerfiles, manifests, settings files): the root is the
/// nearest folder above the test's output folder that holds <c>Ticketing.slnx</c>.
/// </summary>
public static class RepositoryRoot
{
    public const string Marker = "Ticketing.slnx";

    private static readonly Lazy<string?> Found = new(() => Find(AppContext.BaseDirectory));

    /// <summary>The repository root; throws when the tests do not run inside a checkout.</summary>
    public static string Path => Found.Value
        ?? throw new InvalidOperationException($"The repository root ({Marker}) was not found above {AppContext.BaseDirectory}.");

    /// <summary>Whether the tests run inside a checkout (a test binary copied elsewhere does not).</summary>
    public static bool Exists => Found.Value is not null;

    /// <summary>A path under the repository root, for example <c>PathOf("infra", "k8s", "ingress.yaml")</c>.</summary>
    public static string PathOf(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>The nearest folder at or above <paramref name="start"/> holding <see cref="Marker"/>, or null.</summary>
    public static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, Marker)))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
