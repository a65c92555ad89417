using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Monetization.StripeEmulator.Forms;

namespace Monetization.StripeEmulator.Pages;

/// <summary>Plain server-rendered HTML helpers for the hosted pages (no JavaScript).</summary>
internal static class Html
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    public static string Layout(string title, string body) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}}</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1f36}
        .test{display:block;background:#ffe8b3;color:#7a4b00;border:2px solid #e5a000;padding:.6rem .8rem;border-radius:4px;font-weight:600}
        table{width:100%;border-collapse:collapse}td{padding:.4rem 0;border-bottom:1px solid #e3e8ee}
        .error{background:#fde2e2;color:#9b1c1c;padding:.6rem;border-radius:4px}
        .box{border:1px solid #e3e8ee;border-radius:6px;padding:1rem;margin:1rem 0}
        button{background:#635bff;color:#fff;border:0;border-radius:4px;padding:.6rem 1rem;font-size:1rem;cursor:pointer}
        input,select{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box;margin:.25rem 0 .75rem}
        </style></head>
        <body><p class="test" role="alert" id="test-mode-banner">TEST MODE · Stripe emulator: no real payment is taken and no money moves; only test cards work.</p>
        {{body}}
        </body></html>
        """;

    public static async Task WriteAsync(HttpContext context, int status, string title, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(Layout(title, body), Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
    }

    public static void Redirect(HttpContext context, string url)
    {
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = url;
    }

    public static async Task<FormNode> ReadFormAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        return FormParser.Parse(text);
    }
}
