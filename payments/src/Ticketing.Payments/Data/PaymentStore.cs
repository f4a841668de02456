using Ticketing.Common.Storage;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Data;

/// <summary><see cref="IPaymentStore"/> over the <c>payments</c> collection (the outbox collection in the service).</summary>
public sealed class PaymentStore(IDocumentCollection<Payment> payments) : IPaymentStore
{
    public const string CollectionName = "payments";
    public const string ClaimIndex = "claim_unique";

    /// <summary>The collection's indexes; runs once at start, before the service takes requests.</summary>
    public static async Task InitializeAsync(IDocumentCollection<Payment> payments, CancellationToken cancellationToken)
    {
        await payments.EnsureIndexAsync(ClaimIndex, p => p.ClaimKey, unique: true, cancellationToken);
        await payments.EnsureIndexAsync("order", p => p.OrderId, unique: false, cancellationToken);
        await payments.EnsureIndexAsync("stripe", p => p.StripeId, unique: false, cancellationToken);
    }

    public Task<Payment?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        payments.GetAsync(id, cancellationToken);

    public async Task<Payment?> GetForOrderAsync(string orderId, CancellationToken cancellationToken = default) =>
        (await payments.FindAsync(p => p.ClaimKey == orderId, new FindOptions<Payment> { Limit = 1 }, cancellationToken)).FirstOrDefault();

    public async Task<Payment?> GetByStripeIdAsync(string stripeId, CancellationToken cancellationToken = default) =>
        (await payments.FindAsync(p => p.StripeId == stripeId, new FindOptions<Payment> { Limit = 1 }, cancellationToken)).FirstOrDefault();

    public async Task<IReadOnlyList<Payment>> ListForOrderAsync(string orderId, CancellationToken cancellationToken = default) =>
        [.. (await payments.FindAsync(p => p.OrderId == orderId, null, cancellationToken)).OrderBy(p => p.CreatedAt).ThenBy(p => p.Id, StringComparer.Ordinal)];

    public Task<WriteResult> AddAsync(Payment payment, CancellationToken cancellationToken = default) =>
        payments.InsertAsync(payment, cancellationToken);

    public Task<WriteResult> ReplaceAsync(Payment current, Payment next, CancellationToken cancellationToken = default)
    {
        if (next.Id != current.Id)
        {
            throw new ArgumentException($"Payment {next.Id} cannot replace payment {current.Id}.", nameof(next));
        }

        var version = current.Version;
        return payments.ReplaceAsync(next, p => p.Version == version, cancellationToken);
    }
}
