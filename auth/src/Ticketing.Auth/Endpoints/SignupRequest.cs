using FluentValidation;
using Ticketing.Auth.Domain;

namespace Ticketing.Auth.Endpoints;

/// <summary>The body of <c>POST /api/users/signup</c>.</summary>
public sealed record SignupRequest(string? Email, string? Password);

public sealed class SignupRequestValidator : AbstractValidator<SignupRequest>
{
    public SignupRequestValidator()
    {
        RuleFor(r => r.Email).Must(EmailAddress.IsValid).WithMessage("Email must be valid");
        RuleFor(r => r.Password).Must(PasswordHashing.HasAllowedLength)
            .WithMessage($"Password must be between {PasswordHashing.MinLength} and {PasswordHashing.MaxLength} characters");
    }
}
