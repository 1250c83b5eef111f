/**
 * Last line of defence for log lines built from error messages: SDK errors can quote
 * connection strings, URLs with SAS signatures or authorization headers. Request bodies
 * (where credentials travel) are never logged at all.
 */
const PATTERNS: [RegExp, string][] = [
  [/\b(AccountKey|SharedAccessKey|SharedAccessSignature|sig|client_secret|refresh_token|access_token|apikey|api_key|password)=([^;&\s"']+)/gi, '$1=***'],
  [/\b(Bearer|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 ***'],
  [/("(?:refreshToken|personalAccessToken|apiKey|accessToken|clientSecret|developerToken|password|secret)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"***"'],
];

export function redactSecrets(text: string): string {
  return PATTERNS.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), text);
}
