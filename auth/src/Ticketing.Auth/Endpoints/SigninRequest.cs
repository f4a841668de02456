using FluentValidation;
using Ticketing.Auth.Domain;

namespace Ticketing.Auth.Endpoints;

/// <summary>The body of <c>POST /api/users/signin</c>.</summary>
public sealed record SigninRequest(string? Email, string? Password);

public sealed class SigninRequestValidator : AbstractValidator<SigninRequest>
{
    public SigninRequestValidator()
    {
        RuleFor(r => r.Email).Must(EmailAddress.IsValid).WithMessage("Email must be valid");

        // Not NotEmpty(): that would treat a password of spaces as missing, and passwords are taken as typed.
        RuleFor(r => r.Password).Must(p => !string.IsNullOrEmpty(p)).WithMessage("You must supply a password");
    }
}
