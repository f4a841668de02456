namespace Ticketing.Common.Domain; public class DomainRuleException(string message) : Exception(message);
