using Microsoft.Playwright;

namespace Ticketing.Client.Tests.Browser;

/// <summary>
/// Debian's chromium (<c>/usr/bin/chromium</c>, installed by apt-get; <c>CHROMIUM_PATH</c> overrides) driven by
/// Playwright's own driver from its NuGet package. Never <c>playwright install</c>: no browser is downloaded.
/// One browser per test class; each simulated person gets their own context (cookies, storage).
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string ExecutablePath { get; } =
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static bool Installed => File.Exists(ExecutablePath);

    public static string NotInstalled => $"{ExecutablePath} is not installed (apt-get install -y chromium; ./test.sh does it)";

    /// <summary>Where screenshots go: artifacts/screenshots at the repository root (not committed).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        if (!Installed)
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Flags,
            Timeout = 60_000,
        });
    }

    /// <summary>A new person: their own cookies, at desktop or phone size.</summary>
    public async Task<IPage> NewPersonAsync(Uri site, ViewportSize? viewport = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = site.ToString(),
            ViewportSize = viewport ?? Desktop,
            DeviceScaleFactor = 1,
            IsMobile = viewport == Phone,
            HasTouch = viewport == Phone,
            Locale = "en-US",
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ticketing.slnx")))
            {
                return dir.FullName;
            }
        }

        return Path.GetTempPath();
    }
}
