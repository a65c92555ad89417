using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Monetization.Webhooks.Delivery;

/// <summary>
/// Where outgoing webhooks may go (issue 18; OWASP's SSRF prevention): absolute <c>https</c> URLs outside Development,
/// no user info, and no loopback, link-local, private (RFC 1918, RFC 4193), carrier-grade NAT (RFC 6598), multicast or
/// unspecified address unless <c>Webhooks:AllowPrivateTargets</c>. Checked twice: when an endpoint is saved (a literal
/// address or <c>localhost</c> is refused with a 422), and at every connection after DNS resolution
/// (<see cref="ConnectAsync"/>, the HTTP client's connect callback), so a name that later resolves inward is refused
/// too. Redirects are never followed (the client is built with <c>AllowAutoRedirect = false</c>).
/// </summary>
internal sealed class WebhookTargets(IOptions<WebhooksOptions> options, IHostEnvironment environment)
{
    /// <summary>Longest URL accepted.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>Why <paramref name="url"/> cannot be an endpoint, or null when it can.</summary>
    public string? Refusal(string url)
    {
        if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return $"url must be an absolute http(s) URL of at most {MaxUrlLength} characters.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            return "url must be an absolute https URL.";
        }

        if (uri.Scheme == Uri.UriSchemeHttp && options.Value.HttpsRequired(environment.IsDevelopment()))
        {
            return "url must use https (http is accepted only in Development, or with Webhooks:RequireHttps=false).";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "url must not carry a user name or password.";
        }

        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            return "url must not have a fragment.";
        }

        if (options.Value.AllowPrivateTargets)
        {
            return null;
        }

        if (uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "url must not point at this machine (loopback); set Webhooks:AllowPrivateTargets=true for a receiver beside the Host.";
        }

        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IsInternal(address))
        {
            return "url must not point at a private, link-local or loopback address; set Webhooks:AllowPrivateTargets=true to allow it.";
        }

        return null;
    }

    /// <summary>
    /// The HTTP client's connect callback: resolves the host, drops internal addresses (unless allowed), and connects to
    /// the first that answers. Throws <see cref="HttpRequestException"/> when every address is internal.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (!options.Value.AllowPrivateTargets)
        {
            addresses = addresses.Where(a => !IsInternal(a)).ToArray();
            if (addresses.Length == 0)
            {
                throw new HttpRequestException($"Refused: {host} resolves only to private, link-local or loopback addresses (Webhooks:AllowPrivateTargets is off).");
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Loopback, link-local, private, unique-local, carrier-grade NAT, multicast, unspecified or "this network".</summary>
    public static bool IsInternal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal;
        }

        var b = address.GetAddressBytes();
        return b[0] == 0 || b[0] == 10 || b[0] == 127
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
            || b[0] >= 224;
    }
}
