using Microsoft.AspNetCore.Identity;
using Ticketing.Auth.Data;
using Ticketing.Auth.Domain;

namespace Ticketing.Auth.Tests.Domain;

public sealed class PasswordHashingTests
{
    private static readonly User User = new() { Id = "0123456789abcdef01234567", Email = "a@b.dev", PasswordHash = string.Empty };
    private readonly PasswordHashing _passwords = new(new PasswordHasher<User>());

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("1234567", false)]
    [InlineData("12345678", true)]
    [InlineData("        ", true)]
    public void HasAllowedLength_IsEightTo128Characters(string? password, bool allowed) =>
        Assert.Equal(allowed, PasswordHashing.HasAllowedLength(password));

    [Fact]
    public void HasAllowedLength_CountsCodePoints()
    {
        Assert.True(PasswordHashing.HasAllowedLength(string.Concat(Enumerable.Repeat("😀", 128))));
        Assert.False(PasswordHashing.HasAllowedLength(string.Concat(Enumerable.Repeat("😀", 129))));
        Assert.False(PasswordHashing.HasAllowedLength(string.Concat(Enumerable.Repeat("😀", 7))));
    }

    [Fact]
    public void Verify_AcceptsOnlyTheExactPassword()
    {
        var user = User with { PasswordHash = _passwords.Hash(User, " Secret pass ") };

        Assert.Equal(PasswordVerificationResult.Success, _passwords.Verify(user, " Secret pass "));
        Assert.Equal(PasswordVerificationResult.Failed, _passwords.Verify(user, "Secret pass"));
        Assert.Equal(PasswordVerificationResult.Failed, _passwords.Verify(user, " secret pass "));
    }

    [Fact]
    public void Verify_ForNoUser_Fails_WhateverThePassword()
    {
        Assert.Equal(PasswordVerificationResult.Failed, _passwords.Verify(null, "anything at all"));
        Assert.Equal(PasswordVerificationResult.Failed, _passwords.Verify(null, string.Empty));
    }

    [Fact]
    public void UserDocument_ToString_LeavesTheHashOut()
    {
        var user = User with { PasswordHash = _passwords.Hash(User, "password1") };

        var text = user.ToString();

        Assert.Contains(user.Email, text, StringComparison.Ordinal);
        Assert.DoesNotContain(user.PasswordHash, text, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(User.PasswordHash), text, StringComparison.Ordinal);
    }
}
