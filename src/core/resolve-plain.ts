/**
 * CDKTF's resolve, for the JSON of a stack's elements, without resolving plain data token by token.
 *
 * CDKTF builds a context object for every value it resolves; `resolvePlain` walks plain data
 * itself and hands CDKTF's resolver only what may hold a token (a marked string, a token-range
 * number, an object with a class or a resolve method), so whatever CDKTF does with tokens it
 * still does. Two kinds of string are cheaper still, with the same result:
 * - one token and nothing else: each `dependsOn` entry and each attribute read is a token of its
 *   own, which CDKTF resolves in tens of microseconds to what the token already holds: a
 *   dependency to its element's address, a reference (not across stacks) to its expression.
 *   Those two are read off the token; any other kind goes to CDKTF;
 * - text with tokens in it (a chart's values as JSON): CDKTF splits the text at every `}` too
 *   (they may close a `${` expression, which changes how a token inside resolves), which costs
 *   more than the tokens. Where no token stands inside a `${` and nothing in the result reads
 *   like an encoded number, the result is the text with each token's value in its place; any
 *   other text goes to CDKTF whole.
 * A test compares this with CDKTF's resolve on every kind of token and on every example deployment.
 */
import type { Construct } from "constructs";
import { dependableToken, referenceToken, resolveTokens, Token, TokenMap, Tokenization } from "./cdktf";

/** In every encoded token: string, list and map markers all end with this. */
export const TOKEN_MARK = "TfToken[";
/** How an encoded string token begins. */
const STRING_TOKEN_MARK = "${TfToken[";
/** How encoded list and map tokens begin. */
const LIST_TOKEN_MARK = "#{TfToken[";
const MAP_TOKEN_MARK = "&{TfToken[";
/** A number token printed inside a string reads like `-1.0715086071862673e+301`. */
const NUMBER_IN_STRING = /\de[-+]?\d/;
/** Encoded number tokens are doubles of magnitude 2^960 and more; no real setting is. */
const NUMBER_TOKEN_FLOOR = 1e288;
/** A string token as CDKTF encodes it: `${TfToken[<key>]}`, the key captured. */
const STRING_TOKEN = String.raw`\$\{TfToken\[([a-zA-Z0-9:._-]+)\]\}`;
/**
 * In text, in order: a string token, the opening of a Terraform expression (a `${` that is no
 * token), or a `}` (which CDKTF takes as closing one).
 */
const TOKEN_OR_BRACE = new RegExp(String.raw`${STRING_TOKEN}|\$\{(?!TfToken\[)|\}`, "g");
/** A string that is one string token and nothing else. */
const SOLE_TOKEN = new RegExp(`^${STRING_TOKEN}$`);

/** NaN and infinities included: CDKTF decides about those too. */
const inTokenRange = (x: number): boolean => !(Math.abs(x) < NUMBER_TOKEN_FLOOR);

const mayHoldToken = (x: unknown): boolean =>
  typeof x === "string"
    ? x.includes(TOKEN_MARK) || NUMBER_IN_STRING.test(x) || x === Token.STRING_MAP_TOKEN_VALUE || x === Token.ANY_MAP_TOKEN_VALUE
    : typeof x === "number" && (inTokenRange(x) || x === Token.NUMBER_MAP_TOKEN_VALUE);

const isListToken = (x: unknown): boolean => (typeof x === "string" ? x.includes(LIST_TOKEN_MARK) : typeof x === "number" && inTokenRange(x));

/** CDKTF's classes of a reference (`resource.id`) and of a dependency (a `dependsOn` entry), from one of each. */
const REFERENCE = Object.getPrototypeOf(referenceToken("probe")) as object;
const DEPENDABLE = Object.getPrototypeOf(Tokenization.reverseString(dependableToken({ fqn: "probe" })).firstToken) as object;

/** What those tokens' resolution depends on, read by name. */
interface TokenInternals {
  readonly identifier: string;
  readonly crossStackIdentifier: Record<string, string>;
  readonly dependable: { readonly fqn: string };
}

const tokenMap = TokenMap.instance();

/**
 * What a reference or a dependency resolves to, as CDKTF's own classes work it out: a reference
 * (not across stacks) to its expression, in `${}` unless `braces` is false; a dependency to the
 * expression of its element's address, without braces. Undefined for any other token.
 */
function knownValue(token: object, braces: boolean): string | undefined {
  const proto = Object.getPrototypeOf(token);
  const internals = token as TokenInternals;
  if (proto === REFERENCE) {
    if (Object.keys(internals.crossStackIdentifier).length > 0) return undefined;
    return braces ? `\${${internals.identifier}}` : internals.identifier;
  }
  if (proto !== DEPENDABLE) return undefined;
  const key = SOLE_TOKEN.exec(internals.dependable.fqn)?.[1];
  return key === undefined ? undefined : knownValue(tokenMap.lookupToken(key) as object, false);
}

/** What other tokens resolved to inside text: kept apart from whole strings' results. */
const WITHIN_TEXT = Symbol("tokens within text");

/**
 * What CDKTF's resolve returns for `value`, walking token-free plain data without it. `memo`
 * keeps what a token string resolved to when that is a string or number: the same reference
 * (a cluster name, a provider) appears in thousands of resources, and resolving it has no
 * effect besides its result.
 */
export function resolvePlain(scope: Construct, value: unknown, memo = new Map<unknown, unknown>()): unknown {
  if (value === null || value === undefined || typeof value === "boolean") return value;
  if (typeof value !== "object") {
    if (!mayHoldToken(value)) return value;
    if (memo.has(value)) return memo.get(value);
    const resolved = typeof value === "string" && value.includes(STRING_TOKEN_MARK) ? resolveText(scope, value, memo) : resolveTokens(scope, value);
    if (typeof resolved === "string" || typeof resolved === "number") memo.set(value, resolved);
    return resolved;
  }
  if (Array.isArray(value)) {
    // A list token stands for the whole list, so a list holding one goes to CDKTF whole.
    if (value.some(isListToken)) return resolveTokens(scope, value);
    const out: unknown[] = [];
    for (const item of value) {
      const resolved = resolvePlain(scope, item, memo);
      if (resolved !== undefined) out.push(resolved);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || typeof (value as { resolve?: unknown }).resolve === "function") return resolveTokens(scope, value);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.some((k) => k.includes(TOKEN_MARK))) return resolveTokens(scope, value);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const resolved = resolvePlain(scope, record[key], memo);
    if (resolved !== undefined) out[key] = resolved;
  }
  return out;
}

/** A string holding string tokens, resolved as CDKTF resolves it (see the top of this file). */
function resolveText(scope: Construct, text: string, memo: Map<unknown, unknown>): unknown {
  if (text.includes(LIST_TOKEN_MARK) || text.includes(MAP_TOKEN_MARK)) return resolveTokens(scope, text);
  const sole = SOLE_TOKEN.exec(text)?.[1];
  if (sole !== undefined) {
    const known = knownValue(tokenMap.lookupToken(sole) as object, true);
    // CDKTF then decodes number tokens in the result: none there, nothing to do.
    return known === undefined || NUMBER_IN_STRING.test(known) ? resolveTokens(scope, text) : known;
  }
  const within = (memo.get(WITHIN_TEXT) ?? memo.set(WITHIN_TEXT, new Map()).get(WITHIN_TEXT)) as Map<unknown, unknown>;
  let out = "";
  let at = 0;
  let inExpression = false;
  for (const match of text.matchAll(TOKEN_OR_BRACE)) {
    if (match[1] === undefined) {
      inExpression = match[0] !== "}";
      continue;
    }
    // Inside a `${` expression CDKTF writes a token without its braces: such text is CDKTF's to resolve.
    if (inExpression) return resolveTokens(scope, text);
    const token = tokenMap.lookupToken(match[1]) as object;
    let resolved: unknown = knownValue(token, true) ?? within.get(token);
    if (resolved === undefined && !within.has(token)) within.set(token, (resolved = resolveTokens(scope, token)));
    // An object (a list, a map, a token, null) is joined its own way: CDKTF's to resolve.
    if (typeof resolved === "object") return resolveTokens(scope, text);
    out += text.slice(at, match.index);
    // What CDKTF joins text with: undefined adds nothing, anything else its string.
    if (resolved !== undefined) out += `${resolved as string | number | boolean}`;
    at = match.index + match[0].length;
  }
  out += text.slice(at);
  // CDKTF then decodes number tokens in the text: none there, nothing to do.
  return NUMBER_IN_STRING.test(out) ? resolveTokens(scope, text) : out;
}
