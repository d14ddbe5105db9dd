/**
 * Removes secrets from text meant for a log or a person: every `access_token=` query value, and
 * each of the given secrets wherever it appears.
 */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/access_token=[^&\s"'<>#]*/gi, 'access_token=[redacted]');
  for (const secret of secrets) {
    // Short strings would redact ordinary words; tokens are long.
    if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out;
}
