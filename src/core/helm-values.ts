/**
 * Helm values as one JSON document (JSON is YAML). Terraform would read `${` and `%{` inside
 * literal strings as template syntax, so they are escaped; CDKTF tokens (module outputs) are left
 * for Terraform to interpolate.
 */
import { mapLiteralParts } from "./util/tokens";

export function encodeHelmValues(values: unknown): string {
  // JSON escapes neither "$", "%" nor "{", so a "${" in the text is inside one key or string:
  // escaping the text escapes each of them, keys too (Terraform reads the whole text as a template).
  return escapeLiteralParts(JSON.stringify(values));
}

/** Escapes the literal parts of a string that may also carry CDKTF tokens (left for Terraform). */
export function escapeLiteralParts(text: string): string {
  // Template syntax and token markers all hold a "{"; most values have none.
  return text.includes("{") ? mapLiteralParts(text, escapeTemplate) : text;
}

export function escapeTemplate(text: string): string {
  // Replacer functions: in a replacement string "$$" would itself mean "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** Inverse of escapeTemplate, for reading synthesized values back (tests, tools, the policy). */
export function unescapeTemplate(text: string): string {
  return text.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}
