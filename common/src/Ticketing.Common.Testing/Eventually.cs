namespace Ticketing.Common.Testing;

/// <summary>
/// Waits for a condition instead of sleeping for a fixed time: polls every few milliseconds and fails with
/// the caller's description once the timeout passes.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout ?? DefaultTimeout} waiting for: {what}");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 200));
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Waits until <paramref name="get"/> returns a value that is not null, and returns it.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> get, string what, TimeSpan? timeout = null) where T : class
    {
        T? value = null;
        await TrueAsync(async () => (value = await get()) is not null, what, timeout);
        return value!;
    }
}
