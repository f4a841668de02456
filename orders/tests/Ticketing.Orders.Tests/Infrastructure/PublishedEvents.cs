using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Events;

namespace Ticketing.Orders.Tests.Infrastructure;

/// <summary>
/// The events on one subject, from the start of the stream, read through a consumer that belongs to the test
/// (never the service's durable consumers). Reading is cumulative: each call adds what arrived since.
/// </summary>
public sealed class PublishedEvents<TEvent>(INatsJSConsumer consumer, Func<Func<Task<bool>>, string, Task> wait)
    where TEvent : class, IIntegrationEvent<TEvent>
{
    private readonly List<TEvent> _seen = [];

    /// <param name="wait">How to wait for a condition (the app's wait reports its consumers on a timeout).</param>
    public static async Task<PublishedEvents<TEvent>> CreateAsync(INatsJSContext jetStream, string stream, string subject, Func<Func<Task<bool>>, string, Task> wait)
    {
        var consumer = await jetStream.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig($"test-{Guid.NewGuid():N}")
        {
            FilterSubject = subject,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
            AckPolicy = ConsumerConfigAckPolicy.None,
        });
        return new PublishedEvents<TEvent>(consumer, wait);
    }

    /// <summary>Every event on the subject so far.</summary>
    public async Task<IReadOnlyList<TEvent>> AllAsync()
    {
        int fetched;
        do
        {
            fetched = 0;
            await foreach (var message in consumer.FetchNoWaitAsync(new NatsJSFetchOpts { MaxMsgs = 500 }, NatsRawSerializer<byte[]>.Default))
            {
                _seen.Add(EventJson.Deserialize<TEvent>(message.Data));
                fetched++;
            }
        }
        while (fetched > 0);

        return [.. _seen];
    }

    /// <summary>Waits for the first event that matches.</summary>
    public async Task<TEvent> WaitForAsync(Func<TEvent, bool> match, string what)
    {
        TEvent? found = null;
        await wait(async () => (found = (await AllAsync()).FirstOrDefault(match)) is not null, what);
        return found!;
    }
}
