using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Ticketing.Bench.Platform;

/// <summary>
/// The whole platform under load, through the gateway (and tickets directly for the read path): start-up, reads,
/// writes, the purchase flow, event propagation, expiration lateness, memory and CPU. Every figure stands next to a
/// baseline measured in the same run. See bench/README.md.
/// </summary>
public sealed class PlatformBench : IAsyncDisposable
{
    private const string TicketCreated = "ticketing.ticket.created.v1";
    private const string OrderCreated = "ticketing.order.created.v1";
    private const string OrderCancelled = "ticketing.order.cancelled.v1";
    private const string PaymentCreated = "ticketing.payment.created.v1";
    private const string ExpirationCompleted = "ticketing.expiration.completed.v1";
    private const string TestCard = "tok_visa";
    private static readonly string PaymentsOrderCreated = EventMonitor.ConsumerOf("payments", OrderCreated);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly PlatformBenchOptions _options;
    private readonly TextWriter _log;
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseCookies = false, // each request carries its user's session token itself
        MaxConnectionsPerServer = 512,
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    private readonly ConcurrentQueue<string> _inventory = new(); // tickets orders knows and nobody ordered yet
    private readonly List<HttpRow> _rows = [];
    private readonly Dictionary<string, double> _httpNoise = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];
    private readonly ResourceMonitor _resources = new();
    private PlatformUnderTest _platform = null!;
    private EventMonitor _events = null!;
    private AuthenticationHeaderValue _seller = null!;
    private AuthenticationHeaderValue[] _buyers = [];

    private PlatformBench(PlatformBenchOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
    }

    public static async Task<PlatformReport> RunAsync(PlatformBenchOptions options, TextWriter log)
    {
        await using var bench = new PlatformBench(options, log);
        return await bench.RunAsync();
    }

    private async Task<PlatformReport> RunAsync()
    {
        var loadAtStart = ProcFs.LoadAverage();
        _platform = _options.Url is { } url
            ? await PlatformUnderTest.AttachAsync(url, _options.NatsUrl, _options.NatsAdminPassword, _log)
            : await PlatformUnderTest.LaunchAsync(_options.PlatformSettings, _log, TimeSpan.FromMinutes(5));
        _resources.Track(_platform.Processes);
        _events = new EventMonitor(_platform.NatsUrl, _platform.NatsAuth);
        await _events.StartAsync();

        // Idle: nothing asked of the platform yet but its own start-up; let it settle, then read every process's RSS.
        await _resources.PhaseAsync("idle", async () => await Task.Delay(_options.Settle));
        var idle = _resources.SampleNow();
        _resources.StartSampling();

        await _resources.PhaseAsync("seed", SeedAsync);
        if (_options.Runs("read"))
        {
            await _resources.PhaseAsync("read", ReadPathAsync);
        }

        if (_options.Runs("write"))
        {
            await _resources.PhaseAsync("write", WritesAsync);
        }

        if (_options.Runs("purchase"))
        {
            await _resources.PhaseAsync("purchase", PurchasesAsync);
        }

        var (events, eventNoise) = _options.Runs("propagation") ? await _resources.PhaseAsync("propagation", PropagationAsync) : ([], double.NaN);
        var expiration = _options.Runs("expiration") ? await _resources.PhaseAsync("expiration", ExpirationAsync) : null;
        await _resources.StopSamplingAsync();

        var processes = _platform.Processes.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new ProcessRow(p.Value.Count == 1 ? p.Key : $"{p.Key} ({p.Value.Count} processes)", [.. p.Value], idle.GetValueOrDefault(p.Key, double.NaN), _resources.Peak(p.Key), _resources.CpuOf(p.Key)))
            .ToList();
        var report = new PlatformReport(
            $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
            DateTimeOffset.UtcNow,
            _options.Quick ? "quick" : "full",
            loadAtStart,
            _platform.StartupSeconds,
            _platform.ReadyAfterSeconds,
            Settings(),
            _rows,
            events,
            eventNoise,
            _httpNoise,
            expiration,
            processes,
            _resources.Phases,
            [],
            _notes);
        return report with { Targets = Targets(report) };
    }

    private Dictionary<string, string> Settings()
    {
        var settings = _platform.Launched ? new Dictionary<string, string>(_options.PlatformSettings) : new Dictionary<string, string>(StringComparer.Ordinal) { ["attached"] = _platform.Gateway.ToString() };
        settings["stored tickets"] = _options.Stored.ToString(CultureInfo.InvariantCulture);
        settings["seconds per measurement"] = _options.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        settings["flat-out clients"] = _options.Concurrency.ToString(CultureInfo.InvariantCulture);
        settings["buyers"] = _options.Buyers.ToString(CultureInfo.InvariantCulture);
        if (_options.Only.Count < PlatformBenchOptions.AllSections.Length)
        {
            settings["sections"] = string.Join(",", _options.Only);
        }
        return settings;
    }

    // --- users and tickets ------------------------------------------------------------------------------------------

    /// <summary>Signs up the seller and the buyers through the gateway (real users, real sessions) and stores the tickets.</summary>
    private async Task SeedAsync()
    {
        _log.WriteLine($"Signing up 1 seller and {_options.Buyers} buyers ...");
        _seller = await SignUpAsync("seller");
        // A few at a time: each sign-up hashes a password (PBKDF2), which a busy 2-core machine times out on when 40 arrive at once.
        using (var gate = new SemaphoreSlim(4))
        {
            _buyers = await Task.WhenAll(Enumerable.Range(0, _options.Buyers).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    return await SignUpAsync($"buyer{i}");
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        _log.WriteLine($"Storing {_options.Stored} tickets ...");
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= _options.Stored)
            {
                _inventory.Enqueue(await CreateTicketAsync());
            }
        })));
        await _events.WaitCaughtUpAsync(EventMonitor.ConsumerOf("orders", TicketCreated), TimeSpan.FromMinutes(5));
    }

    private async Task<AuthenticationHeaderValue> SignUpAsync(string name)
    {
        HttpResponseMessage response;
        for (var attempt = 1; ; attempt++)
        {
            response = await _http.PostAsJsonAsync(new Uri(_platform.Gateway, "/api/users/signup"),
                new { email = $"{name}-{Guid.NewGuid():N}@bench.example.com", password = "correct horse bench 1" });
            if (response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.ServiceUnavailable) || attempt == 5)
            {
                break;
            }

            response.Dispose(); // the machine was too busy to hash a password in time: try again
            await Task.Delay(500 * attempt);
        }

        using var _ = response;
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Sign-up failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // The session cookie is the session token; services accept it as a bearer token too, so one HttpClient serves every user.
        var cookie = response.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("session=", StringComparison.Ordinal));
        return new AuthenticationHeaderValue("Bearer", cookie["session=".Length..cookie.IndexOf(';', StringComparison.Ordinal)]);
    }

    /// <summary>Stores one ticket for the bench's own set-up (retrying an answer the busy machine timed out, 408/503).</summary>
    private async Task<string> CreateTicketAsync(string title = "Bench concert")
    {
        var response = await SendAsync(HttpMethod.Post, "/api/tickets", _seller, new { title, price = 10.5m });
        for (var attempt = 1; attempt < 5 && response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.ServiceUnavailable; attempt++)
        {
            response.Dispose();
            await Task.Delay(500 * attempt);
            response = await SendAsync(HttpMethod.Post, "/api/tickets", _seller, new { title, price = 10.5m });
        }

        using var _ = response;
        return response.StatusCode == HttpStatusCode.Created
            ? (await response.Content.ReadFromJsonAsync<IdOnly>(Json))!.Id
            : throw new InvalidOperationException($"POST /api/tickets: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, AuthenticationHeaderValue? user, object? body = null, Uri? baseUri = null)
    {
        var request = new HttpRequestMessage(method, new Uri(baseUri ?? _platform.Gateway, path));
        request.Headers.Authorization = user;
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return _http.SendAsync(request);
    }

    private static string Status(HttpResponseMessage response) => ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);

    // --- HTTP sections ----------------------------------------------------------------------------------------------

    /// <summary>The read path's routes (ReadPathBench's), through the gateway and on tickets directly, at a fixed rate and flat out.</summary>
    private async Task ReadPathAsync()
    {
        _inventory.TryDequeue(out var anyId); // kept out of the purchases: always an available ticket
        var targets = new List<(string Via, Uri Base)> { ("gateway", _platform.Gateway) };
        if (_platform.Services.TryGetValue("tickets", out var tickets))
        {
            targets.Add(("tickets direct", tickets));
        }

        foreach (var (via, baseUri) in targets)
        {
            var routes = ReadPathBench.Routes(anyId!);
            var operations = routes.Select(r => (r.Route, Op: Load.Get(_http, new Uri(baseUri, r.Path).ToString(), r.Expected))).ToList();
            await Load.FixedRateAsync(operations[0].Op, _options.ReadRate, TimeSpan.FromSeconds(1)); // warm-up: JIT, connections, caches
            await MeasureSectionAsync("read", via, operations, [_options.ReadRate], warmUp: true);
        }
    }

    /// <summary>POST /api/tickets at fixed rates and flat out; baseline: the same route rejected by validation.</summary>
    private async Task WritesAsync()
    {
        LoadOperation baseline = async _ =>
        {
            using var response = await SendAsync(HttpMethod.Post, "/api/tickets", _seller, new { title = "", price = -1 });
            return response.StatusCode == HttpStatusCode.BadRequest ? null : Status(response);
        };
        LoadOperation create = async _ =>
        {
            using var response = await SendAsync(HttpMethod.Post, "/api/tickets", _seller, new { title = "Bench write", price = 10.5m });
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return Status(response);
            }

            _inventory.Enqueue((await response.Content.ReadFromJsonAsync<IdOnly>(Json))!.Id);
            return null;
        };
        await MeasureSectionAsync("write", "gateway", [("invalid POST /api/tickets (400)", baseline), ("POST /api/tickets", create)], _options.WriteRates, warmUp: true);
        await _events.WaitCaughtUpAsync(EventMonitor.ConsumerOf("orders", TicketCreated), TimeSpan.FromMinutes(5));
    }

    /// <summary>Create order + pay, at fixed rates and flat out; baseline: the same two routes rejected by validation.</summary>
    private async Task PurchasesAsync()
    {
        var retries = 0;
        LoadOperation baseline = async i =>
        {
            var buyer = _buyers[i % _buyers.Length];
            using (var order = await SendAsync(HttpMethod.Post, "/api/orders", buyer, new { ticketId = "" }))
            {
                if (order.StatusCode != HttpStatusCode.BadRequest)
                {
                    return "order " + Status(order);
                }
            }

            using var pay = await SendAsync(HttpMethod.Post, "/api/payments", buyer, new { orderId = "", token = "" });
            return pay.StatusCode == HttpStatusCode.BadRequest ? null : "pay " + Status(pay);
        };
        LoadOperation purchase = async i =>
        {
            if (!_inventory.TryDequeue(out var ticketId))
            {
                return "no ticket left to buy";
            }

            var buyer = _buyers[i % _buyers.Length];
            string orderId;
            using (var order = await SendAsync(HttpMethod.Post, "/api/orders", buyer, new { ticketId }))
            {
                if (order.StatusCode != HttpStatusCode.Created)
                {
                    return "order " + Status(order);
                }

                orderId = (await order.Content.ReadFromJsonAsync<IdOnly>(Json))!.Id;
            }

            // Pay as soon as payments can take it: once its consumer acknowledged this order's OrderCreated (a client
            // hammering 404s instead would measure its own retry storm). The wait is part of the purchase's latency.
            var created = await _events.WaitAsync(OrderCreated, orderId, TimeSpan.FromSeconds(30));
            await _events.WhenHandledAsync(PaymentsOrderCreated, created.Sequence, TimeSpan.FromSeconds(30));
            return await PayAsync(buyer, orderId, () => Interlocked.Increment(ref retries));
        };

        // Enough tickets for every fixed rate, a flat-out run of up to 400 purchases/s, the warm-up and the expiring orders.
        var needed = (int)((_options.PurchaseRates.Sum() + 400 + 50) * _options.Duration.TotalSeconds * 1.1) + _options.ExpiringOrders;
        await TopUpInventoryAsync(needed);
        // Which service falls behind: every consumer's backlog, sampled twice a second during the section.
        await using var backlog = await BacklogSampler.StartAsync(_events);
        await MeasureSectionAsync("purchase", "gateway", [("create order + pay (400, 400)", baseline), ("create order + pay", purchase)], _options.PurchaseRates, warmUp: true);
        _notes.Add($"Largest consumer backlog (pending + unacknowledged) during the purchase section: {await backlog.StopAsync()}.");
        _notes.Add($"Purchase flow: each payment is sent once payments' consumer acknowledged the order's OrderCreated (its wait is in the latency); {retries} payment request(s) still answered 404 and were retried.");
    }

    /// <summary>POST /api/payments, retrying a 404 (payments learns of an order through OrderCreated) for up to 10 s.</summary>
    private async Task<string?> PayAsync(AuthenticationHeaderValue buyer, string orderId, Action? retried = null)
    {
        var deadline = Stopwatch.StartNew();
        var delay = 5;
        while (true)
        {
            using var pay = await SendAsync(HttpMethod.Post, "/api/payments", buyer, new { orderId, token = TestCard });
            if (pay.StatusCode == HttpStatusCode.Created)
            {
                return null;
            }

            if (pay.StatusCode != HttpStatusCode.NotFound || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                return "pay " + Status(pay);
            }

            retried?.Invoke();
            await Task.Delay(delay);
            delay = Math.Min(delay * 2, 100);
        }
    }

    private async Task TopUpInventoryAsync(int needed)
    {
        var missing = needed - _inventory.Count;
        if (missing <= 0)
        {
            return;
        }

        _log.WriteLine($"Storing {missing} more tickets to buy ...");
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= missing)
            {
                _inventory.Enqueue(await CreateTicketAsync());
            }
        })));
        await _events.WaitCaughtUpAsync(EventMonitor.ConsumerOf("orders", TicketCreated), TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// One section: the baseline (first operation) at the highest rate and flat out, every operation at each rate and
    /// flat out, then the baseline again; the baseline's two p50s give the section's noise.
    /// </summary>
    private async Task MeasureSectionAsync(string section, string via, List<(string Route, LoadOperation Op)> operations, int[] rates, bool warmUp)
    {
        var (baselineName, baselineOp) = operations[0];
        var top = rates.Max();
        if (warmUp)
        {
            foreach (var (_, op) in operations.Skip(1))
            {
                await Load.FixedRateAsync(op, Math.Min(top, 50), TimeSpan.FromSeconds(Math.Min(1, _options.Duration.TotalSeconds)));
            }
        }

        var baseFixed = await Row(section, via, baselineName, baselineOp, top, true, null, null);
        var baseFlat = await Row(section, via, baselineName, baselineOp, null, true, null, null);
        foreach (var (route, op) in operations.Skip(1))
        {
            foreach (var rate in rates)
            {
                await Row(section, via, route, op, rate, false, baseFixed, null);
            }

            await Row(section, via, route, op, null, false, null, baseFlat);
        }

        var again = await Row(section, via, baselineName, baselineOp, top, true, null, null);
        var noise = Stats.Spread([baseFixed.P50Ms, again.P50Ms]);
        _httpNoise[section] = Math.Max(_httpNoise.GetValueOrDefault(section), noise);
    }

    private async Task<HttpRow> Row(string section, string via, string route, LoadOperation op, int? rate, bool baseline, HttpRow? fixedBaseline, HttpRow? flatBaseline)
    {
        var run = rate is { } r
            ? await Load.FixedRateAsync(op, r, _options.Duration)
            : await Load.FlatOutAsync(op, _options.Concurrency, _options.Duration);
        var row = new HttpRow(section, via, route, rate is { } x ? $"{x}/s" : $"flat out x{_options.Concurrency}", baseline,
            run.Latencies.Length, run.Ok, new Dictionary<string, int>(run.Errors), run.Percentile(0.50), run.Percentile(0.95), run.Percentile(0.99), run.PerSecond,
            fixedBaseline is { } fb ? run.Percentile(0.50) / fb.P50Ms : null,
            flatBaseline is { } flat ? run.PerSecond / flat.PerSecond : null);
        _rows.Add(row);
        _log.WriteLine($"{section,-8} | {via,-14} | {route,-48} | {row.Mode,-12} | p50 {row.P50Ms,7:F2} p95 {row.P95Ms,7:F2} p99 {row.P99Ms,8:F2} ms | {row.PerSecond,7:F0}/s | errors {row.ErrorCount}");
        return row;
    }

    // --- events -----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Serial probes of every cross-service path, interleaved with the raw JetStream baseline: a ticket (→ orders), an
    /// order for it (→ tickets, payments, expiration), its payment (→ orders).
    /// </summary>
    private async Task<(List<EventRow> Rows, double Noise)> PropagationAsync()
    {
        var paths = new (string Path, string Consumer)[]
        {
            ("ticket -> orders (TicketCreated)", EventMonitor.ConsumerOf("orders", TicketCreated)),
            ("order -> tickets (OrderCreated)", EventMonitor.ConsumerOf("tickets", OrderCreated)),
            ("order -> payments (OrderCreated)", EventMonitor.ConsumerOf("payments", OrderCreated)),
            ("order -> expiration (OrderCreated)", EventMonitor.ConsumerOf("expiration", OrderCreated)),
            ("payment -> orders (PaymentCreated)", EventMonitor.ConsumerOf("orders", PaymentCreated)),
        };
        var existing = await _events.ConsumerNamesAsync();
        foreach (var (_, consumer) in paths.Where(p => !existing.Contains(p.Consumer)))
        {
            throw new InvalidOperationException($"The durable consumer {consumer} does not exist on {EventMonitor.Stream} (consumers: {string.Join(", ", existing)})");
        }

        // Probes measure an idle platform: first let every service work off what the load phases left in the stream.
        foreach (var consumer in existing.Where(c => c.EndsWith("-v1", StringComparison.Ordinal)))
        {
            await _events.WaitCaughtUpAsync(consumer, TimeSpan.FromMinutes(5));
        }

        await using var raw = new RawJetStreamProbe(_platform.NatsUrl, _platform.NatsAuth);
        await raw.StartAsync();
        var timeout = TimeSpan.FromSeconds(30); // only a broken path takes this long; a busy machine must not fail the run
        var samples = paths.ToDictionary(p => p.Consumer, _ => new List<double>());
        var roundMedians = paths.ToDictionary(p => p.Consumer, _ => new List<double>());
        var baseline = new List<double>();
        var baselineRounds = new List<double>();
        var buyer = _buyers[0];

        async Task<double> Handled(string consumer, StreamEvent e) => (await _events.WaitHandledAsync(consumer, e.Sequence, timeout) - e.StoredAt).TotalMilliseconds;

        for (var warm = 0; warm < 3; warm++)
        {
            await raw.RoundTripAsync();
        }

        for (var round = 0; round < _options.Rounds; round++)
        {
            var roundBase = new List<double>();
            var roundSamples = paths.ToDictionary(p => p.Consumer, _ => new List<double>());
            for (var i = 0; i < _options.SamplesPerRound; i++)
            {
                roundBase.Add(await raw.RoundTripAsync());

                var ticketId = await CreateTicketAsync("Bench propagation");
                var ticketEvent = await _events.WaitAsync(TicketCreated, ticketId, timeout);
                roundSamples[paths[0].Consumer].Add(await Handled(paths[0].Consumer, ticketEvent));

                using var order = await SendAsync(HttpMethod.Post, "/api/orders", buyer, new { ticketId });
                var orderId = order.StatusCode == HttpStatusCode.Created
                    ? (await order.Content.ReadFromJsonAsync<IdOnly>(Json))!.Id
                    : throw new InvalidOperationException($"POST /api/orders: {Status(order)} {await order.Content.ReadAsStringAsync()}");
                var orderEvent = await _events.WaitAsync(OrderCreated, orderId, timeout);
                var handled = await Task.WhenAll(paths[1..4].Select(p => Handled(p.Consumer, orderEvent)));
                for (var p = 0; p < handled.Length; p++)
                {
                    roundSamples[paths[p + 1].Consumer].Add(handled[p]);
                }

                using var pay = await SendAsync(HttpMethod.Post, "/api/payments", buyer, new { orderId, token = TestCard });
                var paymentId = pay.StatusCode == HttpStatusCode.Created
                    ? (await pay.Content.ReadFromJsonAsync<IdOnly>(Json))!.Id
                    : throw new InvalidOperationException($"POST /api/payments: {Status(pay)} {await pay.Content.ReadAsStringAsync()}");
                var paymentEvent = await _events.WaitAsync(PaymentCreated, paymentId, timeout);
                roundSamples[paths[4].Consumer].Add(await Handled(paths[4].Consumer, paymentEvent));
            }

            baseline.AddRange(roundBase);
            baselineRounds.Add(Stats.Of(roundBase).Median);
            foreach (var (consumer, values) in roundSamples)
            {
                samples[consumer].AddRange(values);
                roundMedians[consumer].Add(Stats.Of(values).Median);
            }

            _log.WriteLine($"propagation round {round + 1}: baseline {baselineRounds[^1]:F2} ms; " +
                           string.Join("; ", paths.Select(p => $"{p.Path} {roundMedians[p.Consumer][^1]:F2} ms")) + " (medians)");
        }

        var baseSorted = baseline.Order().ToArray();
        var rows = new List<EventRow>
        {
            new("baseline: raw JetStream publish (ack) -> durable consumer -> ack", "bench-raw", baseSorted.Length, Stats.Percentile(baseSorted, 0.5),
                Stats.Percentile(baseSorted, 0.95), Stats.Percentile(baseSorted, 0.99), baseSorted[^1], 1, [.. baselineRounds]),
        };
        foreach (var (path, consumer) in paths)
        {
            var sorted = samples[consumer].Order().ToArray();
            rows.Add(new EventRow(path, consumer, sorted.Length, Stats.Percentile(sorted, 0.5), Stats.Percentile(sorted, 0.95), Stats.Percentile(sorted, 0.99),
                sorted[^1], Stats.Percentile(sorted, 0.5) / rows[0].P50Ms, [.. roundMedians[consumer]]));
        }

        return (rows, Stats.Spread(baselineRounds));
    }

    /// <summary>
    /// N unpaid orders placed at a steady rate; each one's lateness is the stream's timestamp of its ExpirationCompleted
    /// (and of its OrderCancelled) minus the order's <c>expiresAt</c>.
    /// </summary>
    private async Task<ExpirationResult?> ExpirationAsync()
    {
        if (!_platform.Launched)
        {
            _notes.Add("Expiration lateness is measured only on a platform the bench starts (it sets a short order window); attached runs skip it.");
            return null;
        }

        await TopUpInventoryAsync(_options.ExpiringOrders);
        await using var backlog = await BacklogSampler.StartAsync(_events);
        var placed = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        _log.WriteLine($"Placing {_options.ExpiringOrders} orders to expire (window {_options.WindowSeconds} s) ...");
        var run = await Load.FixedRateAsync(async i =>
        {
            if (!_inventory.TryDequeue(out var ticketId))
            {
                return "no ticket left to order";
            }

            using var response = await SendAsync(HttpMethod.Post, "/api/orders", _buyers[i % _buyers.Length], new { ticketId });
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return Status(response);
            }

            var order = (await response.Content.ReadFromJsonAsync<OrderOnly>(Json))!;
            placed[order.Id] = order.ExpiresAt;
            return null;
        }, _options.ExpiringRate, TimeSpan.FromSeconds((double)_options.ExpiringOrders / _options.ExpiringRate));

        var deadline = placed.Values.DefaultIfEmpty(DateTimeOffset.UtcNow).Max() + TimeSpan.FromSeconds(_options.Quick ? 30 : 60);
        var completed = new List<double>();
        var cancelled = new List<double>();
        foreach (var (orderId, expiresAt) in placed)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            try
            {
                var done = await _events.WaitAsync(ExpirationCompleted, orderId, left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
                completed.Add((done.StoredAt - expiresAt).TotalMilliseconds);
            }
            catch (TimeoutException)
            {
            }

            left = deadline - DateTimeOffset.UtcNow;
            try
            {
                var gone = await _events.WaitAsync(OrderCancelled, orderId, left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
                cancelled.Add((gone.StoredAt - expiresAt).TotalMilliseconds);
            }
            catch (TimeoutException)
            {
            }
        }

        _notes.Add($"Largest consumer backlog (pending + unacknowledged) during the expiration section: {await backlog.StopAsync()}.");
        var c = completed.Order().ToArray();
        var x = cancelled.Order().ToArray();
        double P(double[] s, double p) => s.Length == 0 ? double.NaN : Stats.Percentile(s, p);
        var result = new ExpirationResult(_options.ExpiringOrders, _options.WindowSeconds, c.Length, x.Length,
            placed.Count - Math.Min(c.Length, x.Length), new Dictionary<string, int>(run.Errors),
            P(c, 0.5), P(c, 0.95), P(c, 0.99), c.Length == 0 ? double.NaN : c[^1], P(x, 0.5), P(x, 0.99), c.Length == 0 ? double.NaN : c[0]);
        _log.WriteLine($"expiration: {c.Length}/{placed.Count} expired, lateness p50 {result.P50Ms:F0} ms p99 {result.P99Ms:F0} ms max {result.MaxMs:F0} ms; cancelled {x.Length}");
        return result;
    }

    // --- targets ------------------------------------------------------------------------------------------------------

    private static List<TargetRow> Targets(PlatformReport r)
    {
        string Ms(double v) => v.ToString("F1", CultureInfo.InvariantCulture) + " ms";
        var targets = new List<TargetRow>();
        var read = r.Http.Where(h => h.Section == "read" && h.Via == "gateway").ToList();
        if (read.FirstOrDefault(h => h.Route.StartsWith("GET /api/tickets (", StringComparison.Ordinal) && h.Mode.EndsWith("/s", StringComparison.Ordinal)) is { } list)
        {
            targets.Add(new($"`GET /api/tickets` via gateway at {list.Mode}, {r.Settings["stored tickets"]} stored", "p99 < 20 ms", Ms(list.P99Ms), list.P99Ms < 20 && list.ErrorCount == 0));
        }

        var listFlat = read.FirstOrDefault(h => h.Route.StartsWith("GET /api/tickets (", StringComparison.Ordinal) && h.Mode.StartsWith("flat", StringComparison.Ordinal));
        var byIdFlat = read.FirstOrDefault(h => h.Route.StartsWith("GET /api/tickets/{id}", StringComparison.Ordinal) && h.Mode.StartsWith("flat", StringComparison.Ordinal));
        if (listFlat is not null && byIdFlat is not null)
        {
            var share = listFlat.PerSecond / byIdFlat.PerSecond;
            targets.Add(new("`GET /api/tickets` flat out vs `GET /api/tickets/{id}` (gateway)", ">= 50 %",
                $"{share * 100:F0} % ({listFlat.PerSecond:F0} vs {byIdFlat.PerSecond:F0} req/s)", share >= 0.5));
        }

        foreach (var e in r.Events.Skip(1))
        {
            targets.Add(new($"propagation {e.Path}", "p50 < 10 ms, p99 < 50 ms", $"p50 {Ms(e.P50Ms)}, p99 {Ms(e.P99Ms)}", e.P50Ms < 10 && e.P99Ms < 50));
        }

        var purchases = r.Http.Where(h => h.Section == "purchase" && !h.Baseline).ToList();
        if (purchases.FirstOrDefault(h => h.Mode == "200/s") is { } at200)
        {
            targets.Add(new("purchases (create order + pay) at 200/s", "zero errors, keeping up",
                $"{at200.ErrorCount} errors, {at200.PerSecond:F0}/s done, p99 {Ms(at200.P99Ms)}", at200.ErrorCount == 0 && at200.PerSecond >= 190));
        }

        if (purchases.FirstOrDefault(h => h.Mode.StartsWith("flat", StringComparison.Ordinal)) is { } flat)
        {
            targets.Add(new("purchases flat out", "(reported)", $"{flat.PerSecond:F0}/s, {flat.ErrorCount} errors", flat.ErrorCount == 0));
        }

        if (r.Expiration is { } x)
        {
            targets.Add(new($"expiration lateness after `expiresAt`, {x.Orders} orders", "p99 < 1 s",
                $"p50 {Ms(x.P50Ms)}, p99 {Ms(x.P99Ms)} ({x.Completed} expired, {x.Missing} missing)", x.P99Ms < 1000 && x.Missing == 0));
        }

        var services = r.Processes.Where(p => p.Name is "auth" or "tickets" or "orders" or "payments" or "expiration" or "client" or "gateway").ToList();
        if (services.Count > 0)
        {
            var worst = services.MaxBy(p => p.IdleMb)!;
            targets.Add(new("RSS of each service idle", "< 150 MB", $"largest {worst.Name} {worst.IdleMb:F0} MB", services.All(p => p.IdleMb < 150)));
        }

        if (r.StartupSeconds is { } s)
        {
            targets.Add(new("start-up (launch to every service ready)", "(reported)", $"{s:F1} s", true));
        }

        return targets;
    }

    /// <summary>Writes the report as artifacts/bench/platform-&lt;time&gt;.json and .md; returns both paths.</summary>
    public static async Task<(string Json, string Markdown)> WriteAsync(PlatformReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"platform-{report.Mode}-{report.At:yyyyMMdd-HHmmss}");
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        await File.WriteAllTextAsync(stem + ".md", report.ToMarkdown());
        return (stem + ".json", stem + ".md");
    }

    private sealed record IdOnly(string Id);

    private sealed record OrderOnly(string Id, DateTimeOffset ExpiresAt);

    public async ValueTask DisposeAsync()
    {
        await _resources.StopSamplingAsync();
        if (_events is not null)
        {
            await _events.DisposeAsync();
        }

        _http.Dispose();
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }
    }
}
