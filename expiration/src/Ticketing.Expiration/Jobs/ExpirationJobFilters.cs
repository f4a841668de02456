using Hangfire;
using Hangfire.Common;
using Ticketing.Expiration.Extensions;

namespace Ticketing.Expiration.Jobs;

/// <summary>
/// Hangfire's filters for this service's jobs: the usual ones, but with bounded retries of our own instead of the
/// global default (10 retries over hours): <see cref="ExpirationOptions.JobAttempts"/> runs in all, delays doubling
/// from <see cref="ExpirationOptions.JobRetryDelaySeconds"/> up to a minute, then the job stays Failed (never deleted),
/// so it shows in the dashboard's Failed list. Registered in DI, so it applies to this host's server only.
/// </summary>
public sealed class ExpirationJobFilters : IJobFilterProvider
{
    private readonly JobFilter _retry;

    public ExpirationJobFilters(ExpirationOptions options)
    {
        _retry = new JobFilter(
            new AutomaticRetryAttribute
            {
                Attempts = options.JobAttempts - 1,
                DelayInSecondsByAttemptFunc = options.RetryDelaySeconds,
                OnAttemptsExceeded = AttemptsExceededAction.Fail,
                LogEvents = true,
            },
            JobFilterScope.Global,
            null);
    }

    public IEnumerable<JobFilter> GetFilters(Job job) =>
        JobFilterProviders.Providers.GetFilters(job)
            .Where(filter => filter.Instance is not AutomaticRetryAttribute)
            .Append(_retry);
}
