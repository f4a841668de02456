using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ticketing.E2E.Tests.Platform;

namespace Ticketing.E2E.Tests.Faults;

/// <summary>One purchase as the load made it: a new seller's ticket bought and paid by a new buyer.</summary>
public sealed record Purchase(int Number, string TicketId, string OrderId, User Buyer, DateTimeOffset Completed);

/// <summary>
/// Buyers and sellers using the platform through the gateway while a test breaks it: each worker repeats the purchase
/// flow (sign up a seller and a buyer, sell a ticket, order it, pay with the simulated gateway) until stopped. An
/// answer that says "try again" is retried as a client would: 404 while an event has not reached the service yet,
/// 502/503/504 and refused connections while a process is down, 429. A retried POST whose first answer was lost may
/// have been applied: the flow then finds what it did (its order, its payment) instead of doing it twice.
/// Every answer is counted by route and status; a 500 fails the flow and is listed in <see cref="Unexpected"/>.
/// </summary>
public sealed class PurchaseLoad(PlatformFixture platform, string name) : IAsyncDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(120);
    private readonly ConcurrentDictionary<string, int> _answers = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly ConcurrentQueue<Purchase> _purchases = new();
    private readonly ConcurrentQueue<User> _users = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private int _started;
    private int _attempts;

    /// <summary>Every HTTP answer so far, as "POST /api/orders 503" -> count (a failed connection counts as "no answer").</summary>
    public IReadOnlyDictionary<string, int> Answers => _answers;

    /// <summary>Answers no client should ever get (500, or a status the contract does not have for that step).</summary>
    public IReadOnlyCollection<string> Unexpected => _unexpected;

    /// <summary>The purchases completed so far (paid).</summary>
    public IReadOnlyCollection<Purchase> Purchases => _purchases;

    /// <summary>HTTP requests sent so far (to wait until some were sent while something is down).</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public void Start(int workers)
    {
        for (var i = 0; i < workers; i++)
        {
            _workers.Add(Task.Run(WorkAsync));
        }
    }

    /// <summary>Finishes the purchases in progress, starts no new one, and rethrows a worker's failure.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    /// <summary>Waits until <paramref name="count"/> more purchases than <paramref name="since"/> have completed.</summary>
    public async Task WaitForPurchasesAsync(int since, int count, string what)
    {
        await Ticketing.Common.Testing.Eventually.TrueAsync(
            () => _purchases.Count >= since + count || _workers.Any(w => w.IsFaulted),
            $"{count} purchases {what} ({_purchases.Count - since} so far)", StepTimeout);
        if (_workers.FirstOrDefault(w => w.IsFaulted) is { } failed)
        {
            await failed; // the worker's own failure (a 500, an unexpected answer)
        }
    }

    public string DescribeAnswers() => string.Join("\n", _answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"  {a.Key}: {a.Value}"));

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var number = Interlocked.Increment(ref _started);
            _purchases.Enqueue(await PurchaseAsync(number));
        }
    }

    private async Task<Purchase> PurchaseAsync(int number)
    {
        var seller = await SignUpAsync($"{name}-seller{number}");
        var buyer = await SignUpAsync($"{name}-buyer{number}");

        using (var created = await SendAsync(seller, HttpMethod.Post, "/api/tickets", new { title = $"{name} #{number}", price = 10m + number }, HttpStatusCode.Created))
        {
            var ticket = await created.Response.Content.ReadFromJsonAsync<TicketDto>(User.Json);
            var order = await OrderAsync(buyer, ticket!.Id);
            await PayAsync(buyer, order);
            return new Purchase(number, ticket.Id, order, buyer, DateTimeOffset.UtcNow);
        }
    }

    private async Task<User> SignUpAsync(string who)
    {
        var user = User.Unsigned(platform, who);
        _users.Enqueue(user);
        using var answer = await SendAsync(user, HttpMethod.Post, "/api/users/signup", new { email = user.Email, password = user.Password }, HttpStatusCode.Created, HttpStatusCode.BadRequest);
        if (answer.Response.StatusCode == HttpStatusCode.BadRequest)
        {
            // A lost answer to a signup that went through: the email is taken by this very user; sign in instead.
            await Expect400Async(answer, "Email in use", "sign up");
            using var signedIn = await SendAsync(user, HttpMethod.Post, "/api/users/signin", new { email = user.Email, password = user.Password }, HttpStatusCode.OK);
            user.SetId((await signedIn.Response.Content.ReadFromJsonAsync<UserDto>(User.Json))!.Id);
        }
        else
        {
            user.SetId((await answer.Response.Content.ReadFromJsonAsync<UserDto>(User.Json))!.Id);
        }

        return user;
    }

    private async Task<string> OrderAsync(User buyer, string ticketId)
    {
        using var answer = await SendAsync(buyer, HttpMethod.Post, "/api/orders", new { ticketId }, HttpStatusCode.Created, HttpStatusCode.BadRequest);
        if (answer.Response.StatusCode == HttpStatusCode.Created)
        {
            return (await answer.Response.Content.ReadFromJsonAsync<OrderDto>(User.Json))!.Id;
        }

        // Only this buyer ever orders this ticket: "already reserved" means an earlier attempt of ours went through.
        await Expect400Async(answer, "Ticket is already reserved", "order");
        Assert.True(answer.Retried, $"order ticket {ticketId}: 400 on the first attempt");
        using var mine = await SendAsync(buyer, HttpMethod.Get, "/api/orders", null, HttpStatusCode.OK);
        var orders = await mine.Response.Content.ReadFromJsonAsync<List<OrderDto>>(User.Json);
        return Assert.Single(orders!, o => o.Ticket.Id == ticketId).Id;
    }

    private async Task PayAsync(User buyer, string orderId)
    {
        using var answer = await SendAsync(buyer, HttpMethod.Post, "/api/payments", new { orderId, token = "tok_visa" }, HttpStatusCode.Created, HttpStatusCode.BadRequest);
        if (answer.Response.StatusCode == HttpStatusCode.BadRequest)
        {
            // An earlier attempt went through (its answer was lost): the order is paid, once.
            await Expect400Async(answer, "Order is already paid", "pay");
            Assert.True(answer.Retried, $"pay order {orderId}: 400 on the first attempt");
        }
    }

    private async Task Expect400Async(Answer answer, string message, string step)
    {
        var body = await answer.Response.Content.ReadAsStringAsync();
        if (!body.Contains(message, StringComparison.Ordinal))
        {
            _unexpected.Enqueue($"{step}: 400 {body}");
            Assert.Fail($"{step}: expected 400 '{message}', got {body}");
        }
    }

    /// <summary>Sends until the answer is one of <paramref name="accepted"/>, retrying the answers that mean "try again".</summary>
    private async Task<Answer> SendAsync(User user, HttpMethod method, string path, object? body, params HttpStatusCode[] accepted)
    {
        var deadline = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(50);
        var retried = false;
        var route = $"{method} {path}";
        while (true)
        {
            Interlocked.Increment(ref _attempts);
            HttpResponseMessage? response = null;
            try
            {
                using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: User.Json) };
                response = await user.Http.SendAsync(request);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Count($"{route} no answer ({e.GetType().Name})");
            }

            if (response is not null)
            {
                var status = response.StatusCode;
                Count($"{route} {(int)status}");
                if (accepted.Contains(status))
                {
                    return new Answer(response, retried);
                }

                var text = await response.Content.ReadAsStringAsync();
                response.Dispose();
                var retry = status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests
                    || (status == HttpStatusCode.NotFound && path is "/api/orders" or "/api/payments"); // the ticket or order has not reached the service yet
                if (!retry)
                {
                    _unexpected.Enqueue($"{route}: {(int)status} {text}");
                    Assert.Fail($"{route}: unexpected {(int)status} {text}");
                }
            }

            retried = true;
            if (deadline.Elapsed > StepTimeout)
            {
                Assert.Fail($"{route}: no success within {StepTimeout}\n{DescribeAnswers()}");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
    }

    private void Count(string key) => _answers.AddOrUpdate(key, 1, (_, n) => n + 1);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_workers);
        }
        catch (Exception)
        {
            // Reported by StopAsync when the test gets that far.
        }

        while (_users.TryDequeue(out var user))
        {
            user.Dispose();
        }

        _stop.Dispose();
    }

    private sealed record Answer(HttpResponseMessage Response, bool Retried) : IDisposable
    {
        public void Dispose() => Response.Dispose();
    }
}
