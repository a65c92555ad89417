namespace Monetization.BuildingBlocks.Http;

/// <summary>A response that also sets HTTP headers (e.g. <c>X-Billing-Alert</c> on consumption); the headers are not serialized.</summary>
public interface IHasResponseHeaders
{
    /// <summary>Headers to add to the response.</summary>
    IEnumerable<KeyValuePair<string, string>> ResponseHeaders();
}
