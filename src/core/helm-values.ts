/**
 * Helm values as one JSON document (JSON is YAML). Terraform would read `${` and `%{` inside
 * literal strings as template syntax, so they are escaped; CDKTF tokens (module outputs) are left
 * for Terraform to interpolate.
 */
import { mapLiteralParts } from "./util/tokens";

export function encodeHelmValues(values: unknown): string {
  return JSON.stringify(values, (_key, value: unknown) => (typeof value === "string" ? escapeLiteralParts(value) : value));
}

/** Escapes the literal parts of a string that may also carry CDKTF tokens (left for Terraform). */
export function escapeLiteralParts(text: string): string {
  return mapLiteralParts(text, escapeTemplate);
}

export function escapeTemplate(text: string): string {
  // Replacer functions: in a replacement string "$$" would itself mean "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** Inverse of escapeTemplate, for reading synthesized values back (tests, tools, the policy). */
export function unescapeTemplate(text: string): string {
  return text.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}
