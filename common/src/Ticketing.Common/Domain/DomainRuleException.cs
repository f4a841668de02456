namespace Ticketing.Common.Domain;

/// <summary>
/// A business rule said no (<c>Cannot edit a reserved ticket</c>). Thrown by aggregates in a service's
/// <c>Domain/</c>, which know nothing of HTTP; the error handler answers it with 400 and this message.
/// </summary>
public class DomainRuleException(string message) : Exception(message);
