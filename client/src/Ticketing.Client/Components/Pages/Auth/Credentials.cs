namespace Ticketing.Client.Components.Pages.Auth;

/// <summary>The sign-in and sign-up forms' fields. Checked by the auth API, whose messages the form shows.</summary>
public sealed class Credentials
{
    public string? Email { get; set; }

    public string? Password { get; set; }
}
