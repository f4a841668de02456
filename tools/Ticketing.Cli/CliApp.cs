using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Ticketing.Common.Hosting;
using Ticketing.Common.Messaging;

namespace Ticketing.Cli;

/// <summary>
/// <c>ticketing nats provision</c>, <c>ticketing deadletters list [--service S]</c> and
/// <c>ticketing deadletters replay &lt;seq&gt;... [--dry-run] [--new-id] [--keep]</c>, against <c>--nats URL</c> (else
/// <c>NATS_URL</c>, else nats://localhost:4222) as the identity in <c>NATS_USER</c>/<c>NATS_PASSWORD</c> (admin on a
/// server with the permission file), with the <c>NATS_TLS_*</c> settings. Exit codes: 0 done, 1 something could not
/// be done (printed), 2 usage.
/// </summary>
public static class CliApp
{
    private const string Usage = """
        usage:
          ticketing nats provision [--nats <url>]
          ticketing deadletters list [--service <name>] [--nats <url>]
          ticketing deadletters replay <seq> [<seq>...] [--dry-run] [--new-id] [--keep] [--nats <url>]

          provision  create the streams, every service's durable consumers and the revoked-sessions bucket when
                     missing (idempotent; existing streams are never changed). Run as admin: the services may not.
                     Stream settings from NATS_STREAM_* and NATS_DEADLETTER_MAX_BYTES, consumers' ack wait from
                     NATS_ACK_WAIT_MS, the bucket's max age from JWT_LIFETIME_SECONDS, as the services read them.
          list     parked messages: dead-letter sequence, age, original subject, consumer, deliveries, reason
          replay   publish each chosen message again to its original subject with its original Nats-Msg-Id,
                   then delete it from the dead-letter stream (--keep leaves it)
                   --dry-run  show what would be published, publish nothing
                   --new-id   publish under '<original id>:replay-<seq>' (needed while the event stream's duplicate
                              window still remembers the original id; handlers are idempotent either way)
        NATS_URL is used when --nats is not given (default nats://localhost:4222); NATS_USER and NATS_PASSWORD (or
        NATS_CREDS_FILE) are the identity, NATS_TLS_CA_FILE / NATS_TLS_REQUIRED the TLS settings.
        """;

    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, string? natsUrlFromEnvironment = null, IConfiguration? environment = null)
    {
        var options = Options.Parse(args);
        if (options is null || options.Positional.Count < 2 || options.Positional[0] is not ("deadletters" or "nats"))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        var url = options.Nats ?? natsUrlFromEnvironment ?? "nats://localhost:4222";
        environment ??= new ConfigurationBuilder().Build();
        NatsConnectionSettings settings;
        try
        {
            settings = NatsConnectionSettings.From(environment, url);
        }
        catch (InvalidSettingException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return 2;
        }

        await using var connection = settings.Connect("ticketing-cli", NullLoggerFactory.Instance, retryOnInitialConnect: false);
        var jetStream = new NatsJSContext(connection);
        var deadLetters = new DeadLetters(jetStream);
        try
        {
            switch (options.Positional[1])
            {
                case "provision" when options.Positional[0] == "nats":
                    return await ProvisionAsync(jetStream, environment, url, output);
                case var _ when options.Positional[0] != "deadletters":
                    await error.WriteLineAsync(Usage);
                    return 2;
                case "list":
                    return await ListAsync(deadLetters, options, output);
                case "replay" when options.Positional.Count > 2:
                    return await ReplayAsync(deadLetters, options, output, error);
                default:
                    await error.WriteLineAsync(Usage);
                    return 2;
            }
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException or InvalidSettingException)
        {
            await error.WriteLineAsync($"NATS at {url}: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Creates what is missing, as admin, and prints one line per stream, consumer and bucket.</summary>
    private static async Task<int> ProvisionAsync(NatsJSContext jetStream, IConfiguration environment, string url, TextWriter output)
    {
        var messaging = MessagingOptions.From(environment, "admin", url);
        var provisioning = new NatsProvisioning(jetStream, messaging, NullLoggerFactory.Instance)
        {
            RevokedSessionsMaxAge = new Ticketing.Common.Auth.SessionRevocationOptions(
                null, environment.Seconds("JWT_LIFETIME_SECONDS", TimeSpan.FromDays(7), 60, 366 * 24 * 3600)).MaxAge,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        foreach (var line in await provisioning.RunAsync(timeout.Token))
        {
            await output.WriteLineAsync(line);
        }

        await output.WriteLineAsync($"Provisioned {url}.");
        return 0;
    }

    private static async Task<int> ListAsync(DeadLetters deadLetters, Options options, TextWriter output)
    {
        var letters = await deadLetters.ListAsync(options.Service);
        if (letters.Count == 0)
        {
            await output.WriteLineAsync("No parked messages.");
            return 0;
        }

        await output.WriteLineAsync("SEQ\tAGE\tSUBJECT\tCONSUMER\tDELIVERIES\tMESSAGE-ID\tREASON");
        foreach (var letter in letters)
        {
            await output.WriteLineAsync(string.Join('\t',
                letter.Sequence.ToString(CultureInfo.InvariantCulture),
                Age(letter.Age),
                letter.OriginalSubject,
                letter.Consumer,
                letter.Deliveries,
                letter.OriginalMessageId ?? "-",
                letter.Reason));
        }

        await output.WriteLineAsync($"{letters.Count} parked message(s).");
        return 0;
    }

    private static async Task<int> ReplayAsync(DeadLetters deadLetters, Options options, TextWriter output, TextWriter error)
    {
        var failed = 0;
        foreach (var raw in options.Positional.Skip(2))
        {
            if (!ulong.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                await error.WriteLineAsync($"'{raw}' is not a dead-letter sequence number (see 'deadletters list').");
                failed++;
                continue;
            }

            var result = await deadLetters.ReplayAsync(sequence, options.DryRun, options.NewId, options.Keep);
            await (result.Succeeded ? output : error).WriteLineAsync($"{sequence}: {result.Message}");
            failed += result.Succeeded ? 0 : 1;
        }

        return failed == 0 ? 0 : 1;
    }

    private static string Age(TimeSpan age) => age.TotalDays >= 1 ? $"{(int)age.TotalDays}d{age.Hours}h"
        : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h{age.Minutes}m"
        : age.TotalMinutes >= 1 ? $"{(int)age.TotalMinutes}m{age.Seconds}s"
        : $"{Math.Max(0, (int)age.TotalSeconds)}s";

    private sealed record Options(List<string> Positional, string? Nats, string? Service, bool DryRun, bool NewId, bool Keep)
    {
        public static Options? Parse(string[] args)
        {
            var positional = new List<string>();
            string? nats = null, service = null;
            bool dryRun = false, newId = false, keep = false;
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--nats" when i + 1 < args.Length:
                        nats = args[++i];
                        break;
                    case "--service" when i + 1 < args.Length:
                        service = args[++i];
                        break;
                    case "--dry-run":
                        dryRun = true;
                        break;
                    case "--new-id":
                        newId = true;
                        break;
                    case "--keep":
                        keep = true;
                        break;
                    case var other when other.StartsWith("--", StringComparison.Ordinal):
                        return null;
                    default:
                        positional.Add(args[i]);
                        break;
                }
            }

            return new Options(positional, nats, service, dryRun, newId, keep);
        }
    }
}
