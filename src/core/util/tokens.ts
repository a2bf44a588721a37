import { Token } from "../cdktf";

/** CDKTF's in-string token markers, e.g. `${TfToken[TOKEN.42]}`. */
const TOKEN_MARKER = /\$\{TfToken\[[^\]]+\]\}/g;

/**
 * Applies `fn` to the literal parts of a string that may carry CDKTF tokens (module outputs,
 * data sources); the tokens are left for Terraform to interpolate.
 */
export function mapLiteralParts(text: string, fn: (literal: string) => string): string {
  if (!Token.isUnresolved(text)) return fn(text);
  let out = "";
  let last = 0;
  for (const m of text.matchAll(TOKEN_MARKER)) {
    out += fn(text.slice(last, m.index)) + m[0];
    last = m.index! + m[0].length;
  }
  return out + fn(text.slice(last));
}
