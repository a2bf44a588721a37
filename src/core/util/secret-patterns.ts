/** Formats of credentials: what the policy (DH006) and the loader look for in values. */

/** Secret formats that must never appear in output: cloud keys, tokens, private keys. */
export const SECRET_PATTERNS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: "AWS access key id", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: "GitHub token", pattern: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})\b/ },
  { name: "private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { name: "Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { name: "40-hex token", pattern: /(?<![0-9a-fA-F])[0-9a-f]{40}(?![0-9a-fA-F])/ },
  // 40 characters of base64, with digits and both cases (words and paths have no digits).
  { name: "AWS secret access key", pattern: /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[0-9])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[A-Z])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/ },
];

/** The first credential format `value` has, or undefined. */
export function secretFormat(value: string): string | undefined {
  return SECRET_PATTERNS.find(({ pattern }) => pattern.test(value))?.name;
}
