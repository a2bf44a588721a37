/** Helpers the features' cross-field checks share: one-of choices, CIDR lists, instance types. */
import { INSTANCE_FAMILIES, instancesOf, isKnownFamily } from "../core/catalog/instance-types";
import { parseCidr } from "../core/util/cidr";
import { closest } from "../core/util/closest";
import type { ConfigPath, ConfigProblem } from "./errors";

/** Exactly one of `keys` set on `value` (nothing to say when `value` itself is absent). */
export function exactlyOne(path: ConfigPath, value: object | undefined, keys: readonly string[]): ConfigProblem[] {
  if (!value) return [];
  const set = keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined);
  if (set.length === 1) return [];
  return [{ path, message: set.length ? `choose one of ${keys.join(", ")}, not ${set.join(" and ")}` : `needs one of ${keys.join(", ")}` }];
}

/** A secret reference names exactly one source. */
export function secretRefProblems(path: ConfigPath, ref: object): ConfigProblem[] {
  return exactlyOne(path, ref, ["variable", "secretsManager"]);
}

export function cidrListProblems(path: ConfigPath, cidrs: readonly string[]): ConfigProblem[] {
  return cidrs.flatMap((c, i) => {
    const parsed = parseCidr(c);
    return typeof parsed === "string" ? [{ path: [...path, i], message: `invalid CIDR: ${parsed}` }] : [];
  });
}

export function unknownInstanceType(path: ConfigPath, name: string): ConfigProblem {
  const family = name.split(".")[0];
  const known = isKnownFamily(family) ? instancesOf(family).map((i) => i.name) : INSTANCE_FAMILIES.map((f) => `${f}.*`);
  const guess = closest(name, isKnownFamily(family) ? known : INSTANCE_FAMILIES.flatMap((f) => instancesOf(f).map((i) => i.name)));
  return { path, message: `unknown instance type${guess ? ` (did you mean ${guess}?)` : ""}; known: ${known.join(", ")}` };
}
