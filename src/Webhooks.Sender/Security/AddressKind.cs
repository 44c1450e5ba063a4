namespace Webhooks.Sender.Security;

/// <summary>What an address is to the guard: a public unicast address, loopback (allowed only in development), or forbidden.</summary>
internal enum AddressKind
{
    Public,
    Loopback,
    Forbidden,
}
