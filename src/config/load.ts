/**
 * Reads a deployment file, validates it, and returns the resolved configuration, or throws one
 * ConfigError that lists every problem with file:line:column, field path, value and what is
 * allowed. Nothing downstream runs on a file with a problem.
 */
import { readFileSync } from "node:fs";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Node, type Pair } from "yaml";
import type { z } from "zod";
import { closest } from "../core/util/closest";
import { checkDeployment } from "./checks";
import { quickYaml } from "./quick-yaml";
import { ConfigError, type ConfigPath, type ConfigProblem, type LocatedProblem } from "./errors";
import { resolveDeployment, type HubConfig } from "./resolve";
import { DeploymentSchema, deploymentJsonSchema, type Deployment } from "./schema";
import { formatQuantity, QUANTITY_PATTERN } from "./units";

/** Loads `file` (or `text`, reported as `file`) into a resolved HubConfig. */
export function loadDeployment(file: string, text?: string): HubConfig {
  let source: string;
  try {
    source = text ?? readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [
      { path: [], line: 1, column: 1, value: undefined, message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})` },
    ]);
  }
  return { ...resolveDeployment(validateDeployment(file, source)), file };
}

/**
 * Largest deployment file read. Everything in it ends up in Kubernetes objects of at most 1 MiB
 * (the hub's settings Secret), and parsing YAML that large already takes about a second.
 */
export const MAX_FILE_BYTES = 2 ** 20;

/** Parses and validates without resolving; throws ConfigError. */
export function validateDeployment(file: string, source: string): Deployment {
  const bytes = Buffer.byteLength(source, "utf8");
  if (bytes > MAX_FILE_BYTES) {
    throw new ConfigError(file, [
      { path: [], line: 1, column: 1, value: undefined, message: `the file is ${(bytes / 2 ** 20).toFixed(1)} MiB; a deployment file may be at most 1 MiB (its contents must fit the hub's 1 MiB settings Secret)` },
    ]);
  }
  // The quick reader's data is used only for a file that passes every check; a file with any
  // problem is read again by yaml below, whose positions the messages need (quick-yaml.ts).
  const quick = quickYaml(source);
  if (quick !== undefined) {
    const parsed = DeploymentSchema.safeParse(quick);
    if (parsed.success && !checkDeployment(parsed.data as Deployment).length) return parsed.data as Deployment;
  }
  const lineCounter = new LineCounter();
  // yaml's own uniqueKeys check compares every pair of keys (60,000 keys: a minute); ours is linear.
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: false });

  const syntax = [...doc.errors, ...duplicateKeys(doc)];
  if (syntax.length) {
    throw new ConfigError(
      file,
      syntax.map((e) => {
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        const key = e.code === "DUPLICATE_KEY" ? /^\s*["']?([^"':\n]+)/.exec(source.slice(e.pos[0]))?.[1]?.trim() : undefined;
        const detail = key ? ` ("${key}" appears twice here: merge the two blocks or rename one)` : "";
        return { path: [], line: pos.line, column: pos.col, value: undefined, message: `YAML syntax: ${firstLine(e.message)}${detail}` };
      }),
    );
  }

  const data = toData(file, doc, lineCounter);
  const locate = (problem: ConfigProblem): LocatedProblem => {
    const pos = position(doc.contents, problem.path, problem.atKey ?? false);
    const { line, col } = lineCounter.linePos(pos);
    return { ...problem, line, column: col, value: valueAt(data, problem.path) };
  };
  const fail = (problems: ConfigProblem[]): never => {
    const located = problems.map(locate).sort((a, b) => a.line - b.line || a.column - b.column);
    throw new ConfigError(file, located);
  };

  if (data === null || data === undefined) {
    fail([{ path: [], message: "the file is empty (or only comments): start from config/minimal.yaml (help/getting-started.md)" }]);
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    fail([{ path: [], message: "the file must be a YAML mapping (name:, aws:, hub:, ...)" }]);
  }
  const parsed = DeploymentSchema.safeParse(data);
  const raw = (path: ConfigPath) => rawScalar(doc.contents, source, path);
  if (!parsed.success) fail(parsed.error.issues.flatMap((issue) => fromZodIssue(issue, data, raw)));
  const deployment = parsed.data as Deployment;
  const problems = checkDeployment(deployment);
  if (problems.length) fail(problems);
  return deployment;
}

/** A second occurrence of a key in any mapping, as the parser's own DUPLICATE_KEY errors look. */
function duplicateKeys(doc: ReturnType<typeof parseDocument>): { code: string; message: string; pos: [number, number]; linePos?: undefined }[] {
  const found: { code: string; message: string; pos: [number, number] }[] = [];
  visit(doc, {
    Map: (_key, map) => {
      const seen = new Set<string>();
      for (const pair of map.items as Pair[]) {
        const key = isScalar(pair.key) ? `s:${String(pair.key.value)}` : `j:${JSON.stringify((pair.key as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null)}`;
        if (seen.has(key)) {
          const start = (pair.key as Node | null)?.range?.[0] ?? 0;
          found.push({ code: "DUPLICATE_KEY", message: "Map keys must be unique", pos: [start, start + 1] });
        }
        seen.add(key);
      }
    },
  });
  return found;
}

/**
 * The document as plain data. Aliases are where YAML can fail after parsing: one whose anchor is
 * not set before it, or aliases that expand into a huge tree (an alias bomb).
 */
function toData(file: string, doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    const aliases: Alias[] = [];
    visit(doc, { Alias: (_key, node) => void aliases.push(node) });
    const unresolved = aliases.find((a) => !a.resolve(doc));
    const at = (unresolved ?? aliases[0])?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(at);
    const message = unresolved
      ? `YAML alias *${unresolved.source} has no anchor &${unresolved.source} before it: define the anchor first, or write the value out`
      : "YAML aliases here expand into more than 100 copies (an alias bomb): write the values out instead";
    throw new ConfigError(file, [{ path: [], line, column: col, value: undefined, message }]);
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}

// ---------------------------------------------------------------------------------------------
// Positions
// ---------------------------------------------------------------------------------------------

/**
 * Offset to report for `path`: a scalar's value, else the key that holds it (a missing field
 * reports its parent's key, an unknown key itself).
 */
function position(root: Node | null | undefined, path: ConfigPath, atKey: boolean): number {
  let node: unknown = root;
  let best = (root as Node | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = (node.items as Pair[]).find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return best;
      const keyStart = (pair.key as Node).range?.[0] ?? best;
      if (last) {
        const value = pair.value as Node | null;
        const isValue = !atKey && isScalar(value) && value.value !== null && value.range;
        return isValue ? value.range![0] : keyStart;
      }
      best = keyStart;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number" && node.items[seg]) {
      node = node.items[seg];
      best = (node as Node).range?.[0] ?? best;
    } else {
      return best;
    }
  }
  return best;
}

/** Line and column of fields in a deployment file's text (a field's parent key when it is not written); parses once. */
export function fieldLocator(source: string): (path: ConfigPath) => { line: number; column: number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: false, merge: false });
  return (path) => {
    const { line, col } = lineCounter.linePos(position(doc.contents, path, false));
    return { line, column: col };
  };
}

/** A scalar as written in the file (`1.30`, where YAML read the number 1.3). */
function rawScalar(root: Node | null | undefined, source: string, path: ConfigPath): string | undefined {
  let node: unknown = root;
  for (const seg of path) {
    if (isMap(node)) node = (node.items as Pair[]).find((p) => isScalar(p.key) && String(p.key.value) === String(seg))?.value;
    else if (isSeq(node) && typeof seg === "number") node = node.items[seg];
    else return undefined;
  }
  return isScalar(node) && node.range ? source.slice(node.range[0], node.range[1]).trim() : undefined;
}

function valueAt(data: unknown, path: ConfigPath): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Zod issues -> problems
// ---------------------------------------------------------------------------------------------

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  description?: string;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  pattern?: string;
};

let cachedJsonSchema: JsonSchema | undefined;

/** The JSON Schema node for a path, to say which keys are allowed there. */
function schemaAt(path: ConfigPath): JsonSchema | undefined {
  cachedJsonSchema ??= deploymentJsonSchema() as JsonSchema;
  let s: JsonSchema | undefined = cachedJsonSchema;
  for (const seg of path) {
    if (!s) return undefined;
    if (s.anyOf) s = s.anyOf.find((x) => x.properties) ?? s.anyOf[0];
    if (typeof seg === "number") s = s?.items;
    else s = s?.properties?.[seg] ?? (typeof s?.additionalProperties === "object" ? s.additionalProperties : undefined);
  }
  return s;
}

/** Whether the schema at `path` is a secret reference (SecretRef: variable or secretsManager). */
function isSecretRef(path: ConfigPath): boolean {
  const keys = Object.keys(schemaAt(path)?.properties ?? {}).sort();
  return keys.length === 2 && keys[0] === "secretsManager" && keys[1] === "variable";
}

function typeName(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "number") return Number.isInteger(value) ? "a whole number" : "a number";
  return typeof value === "string" ? "text" : `a ${typeof value}`;
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping (key: value lines)",
  array: "a list",
  record: "a mapping (name: value lines)",
  map: "a mapping (name: value lines)",
};

function fromZodIssue(issue: z.core.$ZodIssue, data: unknown, raw: (path: ConfigPath) => string | undefined = () => undefined): ConfigProblem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const value = valueAt(data, path);
  switch (issue.code) {
    case "invalid_type": {
      if (isSecretRef(path)) {
        const what = value === undefined ? "is required" : `a secret never appears in the deployment file (found ${typeName(value)})`;
        return [{ path, secret: true, message: `${what}: write { variable: <name> } (its value from TF_VAR_<name> at apply) or { secretsManager: { secretId: <name or ARN> } }` }];
      }
      if (value === undefined) return [{ path, message: `is required (${EXPECTED[issue.expected] ?? issue.expected})` }];
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (typeof value === "number" && !Number.isFinite(value)) return [{ path, message: `expected ${expected}, found ${raw(path) ?? String(value)}, which is not a finite number` }];
      const written = raw(path) ?? String(value);
      const isSize = schemaAt(path)?.pattern?.endsWith(QUANTITY_PATTERN.slice(1)) ?? false;
      const hint =
        issue.expected === "string" && typeof value === "number"
          ? isSize
            ? `; a size needs a binary unit (Mi, Gi or Ti)${Number.isInteger(value) && value >= 2 ** 20 && /[KMGT]i$/.test(formatQuantity(value)) ? `: ${value} bytes is "${formatQuantity(value)}"` : `, e.g. "${value}Gi"`}`
            : `; YAML read ${written} as a number${written !== String(value) ? ` (${value})` : ""}, quote it ("${written}")`
          : "";
      return [{ path, message: `expected ${expected}, found ${typeName(value)}${hint}` }];
    }
    case "unrecognized_keys": {
      const allowed = Object.keys(schemaAt(path)?.properties ?? {}).filter((k) => k !== "$schema");
      return issue.keys.map((key) => {
        const guess = closest(key, allowed);
        return {
          path: [...path, key],
          atKey: true,
          message: `unknown key${guess ? ` (did you mean "${guess}"?)` : ""}; allowed here: ${allowed.join(", ")}`,
        };
      });
    }
    case "invalid_value":
      return [{ path, message: `allowed: ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}` }];
    case "invalid_format":
      return [{ path, message: `expected ${issue.message}` }];
    case "too_small": {
      const custom = issue.message && !/^Too small/.test(issue.message) ? ` (${issue.message})` : "";
      const what =
        issue.origin === "array"
          ? `at least ${issue.minimum} entr${issue.minimum === 1 ? "y" : "ies"}`
          : issue.origin === "string"
            ? `at least ${issue.minimum} characters`
            : `${issue.inclusive ? "at least" : "more than"} ${issue.minimum}`;
      return [{ path, message: `must be ${what}${custom}` }];
    }
    case "too_big": {
      if (issue.origin === "string") return [{ path, message: `must be ${/^at most/.test(issue.message) ? issue.message : `at most ${issue.maximum} characters`} (this is ${String(valueAt(data, path)).length})` }];
      const what = issue.origin === "array" ? `at most ${issue.maximum} entries` : `${issue.inclusive ? "at most" : "less than"} ${issue.maximum}`;
      return [{ path, message: `must be ${what}` }];
    }
    case "invalid_key": {
      const inner = issue.issues[0];
      const reason = inner?.message ?? "not allowed";
      // Format checks say what is expected; other checks (a reserved name) say what is wrong.
      return [{ path, atKey: true, message: inner?.code === "invalid_format" ? `name not allowed: expected ${reason}` : `name not allowed: ${reason}` }];
    }
    case "invalid_union":
      return [{ path, message: issue.message }];
    default:
      return [{ path, message: issue.message }];
  }
}
