using System;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Webhooks.Sender.Security;

/// <summary>
/// Classifies IP addresses. Only globally routable unicast addresses are public; everything else a request could be turned
/// against (the host itself, the private network, link-local and cloud metadata services, multicast, reserved and documentation
/// ranges) is not. IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are judged by the embedded address.
/// </summary>
internal static class AddressRanges
{
    public static AddressKind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            address.TryWriteBytes(v4, out _);
            return ClassifyV4(BinaryPrimitives.ReadUInt32BigEndian(v4));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return AddressKind.Forbidden;
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        ulong high = BinaryPrimitives.ReadUInt64BigEndian(b);
        ulong low = BinaryPrimitives.ReadUInt64BigEndian(b[8..]);

        if (high == 0)
        {
            if (low == 1)
            {
                return AddressKind.Loopback; // ::1
            }

            if ((low >> 32) == 0xFFFF)
            {
                return ClassifyV4((uint)low); // ::ffff:a.b.c.d, IPv4-mapped
            }

            return AddressKind.Forbidden; // :: (unspecified) and ::a.b.c.d (IPv4-compatible, deprecated)
        }

        if (high == 0x0064_FF9B_0000_0000 && (low >> 32) == 0)
        {
            return ClassifyV4((uint)low); // 64:ff9b::/96, NAT64 of a.b.c.d
        }

        ushort first = (ushort)(high >> 48);
        if ((first & 0xE000) != 0x2000)
        {
            // Outside 2000::/3, the global unicast space: unique local (fc00::/7, where AWS's fd00:ec2::254 metadata lives),
            // link-local (fe80::/10), site-local (fec0::/10), multicast (ff00::/8), local-use NAT64 (64:ff9b:1::/48), discard (100::/64)...
            return AddressKind.Forbidden;
        }

        if (first == 0x2002)
        {
            return ClassifyV4((uint)(high >> 16)); // 2002:a.b.c.d::/48, 6to4
        }

        if ((high >> 41) == (0x2001_0000_0000_0000UL >> 41))
        {
            return AddressKind.Forbidden; // 2001::/23, IETF protocol assignments (Teredo 2001::/32 among them)
        }

        if ((high >> 32) == 0x2001_0DB8 || (first & 0xFFF0) == 0x3FF0)
        {
            return AddressKind.Forbidden; // 2001:db8::/32 and 3fff::/20, documentation
        }

        return AddressKind.Public;
    }

    private static AddressKind ClassifyV4(uint a)
    {
        if (In(a, 0x7F000000, 8))
        {
            return AddressKind.Loopback; // 127.0.0.0/8
        }

        bool forbidden =
            In(a, 0x00000000, 8) ||      // 0.0.0.0/8, "this network" and unspecified
            In(a, 0x0A000000, 8) ||      // 10.0.0.0/8, private
            In(a, 0x64400000, 10) ||     // 100.64.0.0/10, shared address space (CGNAT; Alibaba's metadata 100.100.100.200)
            In(a, 0xA9FE0000, 16) ||     // 169.254.0.0/16, link-local (the metadata service of AWS, GCP, Azure at 169.254.169.254)
            In(a, 0xAC100000, 12) ||     // 172.16.0.0/12, private
            In(a, 0xC0000000, 24) ||     // 192.0.0.0/24, IETF protocol assignments (Oracle's metadata 192.0.0.192)
            In(a, 0xC0000200, 24) ||     // 192.0.2.0/24, documentation
            In(a, 0xC0586300, 24) ||     // 192.88.99.0/24, 6to4 relay anycast (deprecated)
            In(a, 0xC0A80000, 16) ||     // 192.168.0.0/16, private
            In(a, 0xC6120000, 15) ||     // 198.18.0.0/15, benchmarking
            In(a, 0xC6336400, 24) ||     // 198.51.100.0/24, documentation
            In(a, 0xCB007100, 24) ||     // 203.0.113.0/24, documentation
            In(a, 0xE0000000, 4) ||      // 224.0.0.0/4, multicast
            In(a, 0xF0000000, 4) ||      // 240.0.0.0/4, reserved, and 255.255.255.255, broadcast
            a == 0xA83F8110;             // 168.63.129.16, Azure's platform endpoint (a public address that every Azure VM reaches)
        return forbidden ? AddressKind.Forbidden : AddressKind.Public;
    }

    private static bool In(uint address, uint network, int prefixLength) => (address >> (32 - prefixLength)) == (network >> (32 - prefixLength));
}
