using System;
using System.Collections;
using System.Management.Automation;
using System.Security;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Infrastructure
{
    /// <summary>Turns the Invoke-RestMethod-style connection parameters into engine settings.</summary>
    internal static class ConnectionParameters
    {
        public static PrometheusConnectionSettings BuildSettings(PSCmdlet cmdlet, Uri uri, PSCredential? credential, SecureString? token, IDictionary? header, bool skipCertificateCheck, TimeSpan? timeout)
        {
            if (credential != null && token != null)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -Credential or -Token, not both."), "PrometheusAmbiguousAuthentication", ErrorCategory.InvalidArgument, null));
            }
            var settings = new PrometheusConnectionSettings(uri)
            {
                Token = token,
                SkipCertificateCheck = skipCertificateCheck,
            };
            if (credential != null) settings.Credential = credential.GetNetworkCredential();
            if (timeout.HasValue) settings.Timeout = timeout.Value;
            if (header != null)
            {
                foreach (DictionaryEntry entry in header)
                {
                    var name = entry.Key?.ToString();
                    if (string.IsNullOrWhiteSpace(name))
                    {
                        cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException("A header in -Header has an empty name."), "PrometheusInvalidHeader", ErrorCategory.InvalidArgument, header));
                    }
                    settings.Headers[name!] = LanguagePrimitives.ConvertTo<string>(entry.Value) ?? string.Empty;
                }
            }
            return settings;
        }
    }
}
