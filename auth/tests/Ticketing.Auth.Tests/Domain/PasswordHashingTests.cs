using Microsoft.AspNetCore.Identity;
using Ticketing.Auth.Data;
using Ticketing.Auth.Domain;
using Ticketing.Auth.Tests.Infrastructure;

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

/// <summary>The service's hasher: OWASP's iterations for PBKDF2-HMAC-SHA512, and older hashes upgraded on sign-in.</summary>
public sealed class PasswordHashParameterTests
{
    /// <summary>Identity V3 format: 0x01, PRF (1 = HMAC-SHA256, 2 = HMAC-SHA512), iterations, salt length (big-endian).</summary>
    private static (uint Prf, uint Iterations) Parameters(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        Assert.Equal(0x01, bytes[0]);
        return (System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1)), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5)));
    }

    [Fact]
    public async Task Signup_StoresAPbkdf2Sha512Hash_With210000Iterations()
    {
        await using var app = new Infrastructure.AuthApp();
        var (_, email, _) = await app.CreateClientFrom().NewUserAsync();

        var stored = await app.Service<IUserStore>().FindByEmailAsync(email);

        Assert.Equal((2u, 210_000u), Parameters(stored!.PasswordHash));
    }

    [Fact]
    public async Task Signin_WithAHashOfTheOld100000Iterations_UpgradesIt()
    {
        await using var app = new Infrastructure.AuthApp();
        var store = app.Service<IUserStore>();
        var email = Infrastructure.AuthApi.NewEmail();
        var old = new PasswordHasher<User>(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = 100_000 }));
        var user = new User { Id = Ticketing.Common.Storage.DocumentIds.New(), Email = email, PasswordHash = string.Empty };
        Assert.True(await store.TryAddAsync(user with { PasswordHash = old.HashPassword(user, Infrastructure.AuthApp.Password) }));

        var response = await app.CreateClientFrom().SignInAsync(email);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((2u, 210_000u), Parameters((await store.FindByEmailAsync(email))!.PasswordHash));
    }
}
