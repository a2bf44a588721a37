/**
 * A faster TerraformStack.toTerraform with the same output.
 *
 * CDKTF resolves every element's JSON token by token, building a context object per value, and
 * then resolves the merged stack once more: on 500 groups that is three quarters of the synth.
 * Almost all of it is plain data, which resolvePlain (resolve-plain.ts) walks itself. A test
 * compares this with CDKTF's own toTerraform on every example deployment.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { IConstruct } from "constructs";
import {
  deepMerge,
  keysToSnakeCase,
  snakeCase,
  StackSynthesizer,
  TerraformDynamicBlock,
  TerraformElement,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  type ISynthesisSession,
} from "./cdktf";
import { resolvePlain, TOKEN_MARK } from "./resolve-plain";

/** The stack's Terraform elements in construct order, not descending into nested stacks. */
function elementsOf(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) if (!TerraformStack.isStack(child)) elementsOf(child, into);
  return into;
}

/** The stack's parts that TerraformStack keeps private, read by name. */
interface StackInternals {
  readonly rawOverrides: Record<string, unknown>;
  readonly cdktfVersion: string;
}

/** The JSON TerraformStack.toTerraform produces for `stack`. */
export function leanToTerraform(stack: TerraformStack): Record<string, unknown> {
  const { rawOverrides, cdktfVersion } = stack as unknown as StackInternals;
  const elements = elementsOf(stack);
  const overridden = Object.keys(rawOverrides);
  const metadata: Record<string, unknown> = {
    version: cdktfVersion,
    stackName: stack.node.id,
    backend: "local",
    cloud: undefined,
    ...(overridden.length ? { overrides: { stack: overridden } } : {}),
  };
  const memo = new Map<unknown, unknown>();
  for (const element of elements) deepMerge(metadata, resolvePlain(stack, element.toMetadata(), memo));
  // Each output by its construct path, as the CDKTF CLI reads them back.
  const outputs: Record<string, unknown> = {};
  for (const element of elements) {
    if (!TerraformOutput.isTerraformOutput(element)) continue;
    const path = element.node.path.split("/");
    let at = outputs;
    for (const part of path.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    at[path[path.length - 1]] = element.friendlyUniqueId;
  }
  const tf: Record<string, unknown> = { "//": { metadata, outputs } };
  for (const element of elements) mergeResolved(tf, resolvedElement(stack, element, memo));
  deepMerge(tf, rawOverrides);
  // CDKTF resolves the whole merged tree once more; what the fragments brought is resolved
  // already (resolving it again changes nothing), so only the rest is.
  for (const key of ["//", ...overridden]) {
    const resolved = resolvePlain(stack, tf[key], memo);
    if (resolved === undefined) delete tf[key];
    else tf[key] = resolved;
  }
  return tf;
}

/** What TerraformResource.toTerraform reads that the resource keeps private. */
interface ResourceInternals {
  readonly rawOverrides: Record<string, unknown>;
  readonly provisioners?: unknown[];
  readonly _hasMoved?: boolean;
  readonly _movedByTarget?: unknown;
  readonly _movedById?: unknown;
  readonly _imported?: unknown;
  readonly constructNodeMetadata: Record<string, unknown>;
  synthesizeAttributes(): Record<string, unknown>;
}

/** TerraformResource.prototype.toTerraform, the one the fast path below stands in for. */
const stockResourceJson = TerraformResource.prototype.toTerraform;

/** Terraform's names of the resource meta-arguments, by the names CDKTF gives them. */
const META_ARGUMENT = new Map(Object.entries({ dependsOn: "depends_on", forEach: "for_each", count: "count", provider: "provider", lifecycle: "lifecycle", connection: "connection" }));
const metaArgumentName = (key: string): string => META_ARGUMENT.get(key) ?? snakeCase(key);

/**
 * resolvePlain(stack, element.toTerraform(), memo), faster for the common resource: one with no
 * overrides, provisioners, move, import or dynamic block. TerraformResource.toTerraform copies
 * every attribute tree (to find dynamic blocks), runs its meta-arguments' names through a regular
 * expression and merges them in, and resolving then copies it all again. Here the attributes are
 * resolved straight into the one object they end in, with the meta-arguments named from a table
 * and resolved beside them, and the resource's own objects are left as they were. A resource
 * whose attributes CDKTF would merge into (one named like a meta-argument) goes through CDKTF, as
 * does every other element; the lean synthesis test compares the two on every deployment and on
 * resources with every meta-argument.
 */
function resolvedElement(stack: TerraformStack, element: TerraformElement, memo: Map<unknown, unknown>): Record<string, unknown> {
  const stock = () => resolvePlain(stack, element.toTerraform(), memo) as Record<string, unknown>;
  if (!TerraformResource.isTerraformResource(element) || element.toTerraform !== stockResourceJson) return stock();
  const internals = element as unknown as ResourceInternals;
  if (internals.provisioners !== undefined || internals._hasMoved || internals._movedByTarget || internals._movedById || internals._imported) return stock();
  for (const _ in internals.rawOverrides) return stock();
  const raw = internals.synthesizeAttributes();
  const id = element.friendlyUniqueId;
  const meta = element.terraformMetaArguments as Record<string, unknown>;
  // What resolvePlain hands to CDKTF whole rather than walking, and attributes CDKTF would merge
  // meta-arguments, provisioners or node metadata into: CDKTF's.
  if (Object.getPrototypeOf(raw) !== Object.prototype || typeof raw.resolve === "function" || id.includes(TOKEN_MARK) || hasDynamicBlock(raw)) return stock();
  const keys = Object.keys(raw);
  if ("provisioner" in raw || "//" in raw || keys.some((key) => key.includes(TOKEN_MARK))) return stock();
  for (const key in meta) if (metaArgumentName(key) in raw) return stock();
  const attributes: Record<string, unknown> = {};
  for (const key of keys) {
    const resolved = resolvePlain(stack, raw[key], memo);
    if (resolved !== undefined) attributes[key] = resolved;
  }
  // deepMerge of a meta-argument into a key the attributes lack: a copy without its undefined keys, which resolving drops too.
  for (const key in meta) {
    const resolved = resolvePlain(stack, snakeCaseValue(meta[key]), memo);
    if (resolved !== undefined) attributes[metaArgumentName(key)] = resolved;
  }
  attributes["//"] = resolvePlain(stack, internals.constructNodeMetadata, memo);
  return { resource: { [element.terraformResourceType]: { [id]: attributes } } };
}

/** A meta-argument's value as keysToSnakeCase leaves it when it converts the object holding it. */
function snakeCaseValue(value: unknown): unknown {
  if (typeof value !== "object") return value;
  const converted = keysToSnakeCase(value) as unknown;
  return Array.isArray(converted) ? converted.map((e: unknown) => (typeof e === "object" ? keysToSnakeCase(e) : e)) : converted;
}

/** Whether processDynamicAttributes would replace anything in `attributes`: it descends into plain objects only. */
function hasDynamicBlock(attributes: Record<string, unknown>): boolean {
  for (const key in attributes) {
    const value = attributes[key];
    if (typeof value !== "object" || value === null) continue;
    if (TerraformDynamicBlock.isTerraformDynamicBlock(value)) return true;
    if (value.constructor === Object && hasDynamicBlock(value as Record<string, unknown>)) return true;
  }
  return false;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/**
 * deepMerge(target, source) for a resolved source (fresh plain data, no undefined in it): what
 * target does not have yet is taken as it is rather than copied key by key.
 */
function mergeResolved(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    const existing = target[key];
    if (existing === undefined && !(key in target)) target[key] = value;
    else if (isRecord(existing) && isRecord(value)) mergeResolved(existing, value);
    else deepMerge(target, { [key]: value });
  }
}

/** What StackSynthesizer keeps private, read by name. */
interface SynthesizerSettings {
  readonly continueOnErrorAnnotations: boolean;
  readonly hclOutput: boolean;
}

/**
 * The stack synthesizer, with the stack's JSON from leanToTerraform written by writeStableJson. The
 * stock synthesizer runs aspects, validations, assets and annotations, then writes the JSON with
 * a generic sorted-keys serializer (a fifth of a large synth); here it writes a placeholder that
 * the same bytes, serialized faster, then replace.
 */
export class LeanStackSynthesizer extends StackSynthesizer {
  /** Takes over from the synthesizer TerraformStack made, with the settings it read from the environment. */
  static replacing(stock: StackSynthesizer, stack: TerraformStack): LeanStackSynthesizer {
    const { continueOnErrorAnnotations, hclOutput } = stock as unknown as SynthesizerSettings;
    return new LeanStackSynthesizer(stack, continueOnErrorAnnotations, hclOutput);
  }

  override synthesize(session: ISynthesisSession): void {
    const stack = this.stack;
    let tf: Record<string, unknown> | undefined;
    stack.toTerraform = () => {
      tf = leanToTerraform(stack);
      return {};
    };
    try {
      super.synthesize(session);
    } finally {
      Reflect.deleteProperty(stack, "toTerraform");
    }
    // With HCL output CDKTF wrote main.tf itself and never asked for the JSON.
    if (tf) writeStableJson(join(session.outdir, session.manifest.forStack(stack).synthesizedStackPath), tf);
  }
}

/** Whether stableJson writes `value` at all: in an object such a value is left out, in an array it is null. */
const writable = (value: unknown): boolean => value !== undefined && typeof value !== "function" && typeof value !== "symbol";

/** Where stableJson's text goes, piece by piece. */
interface JsonSink {
  push(text: string): void;
}

/**
 * JSON with sorted keys and two-space indents, byte for byte as CDKTF writes cdk.tf.json
 * (json-stable-stringify: an empty object is "{" newline "}", undefined is left out of objects
 * and is null in arrays). Data only: toTerraform's output has no toJSON and no cycles.
 */
export function stableJson(value: unknown): string | undefined {
  if (!writable(value)) return undefined;
  const parts: string[] = [];
  writeJson(value, "\n", parts);
  return parts.join("");
}

/**
 * stableJson(value) into the file at `path`, a megabyte at a time. Built as one string, the
 * text of a large stack is a rope of young pieces that all survive until the end, and the
 * garbage collector copies each of them (a tenth of a 500-group synth); written as it goes, the
 * pieces die young. Written beside the file and renamed over it, so no half-written file is left.
 */
export function writeStableJson(path: string, value: unknown): void {
  const partial = `${path}.partial`;
  const fd = openSync(partial, "w");
  let complete = false;
  try {
    const sink = new ChunkedFile(fd);
    if (writable(value)) writeJson(value, "\n", sink);
    sink.flush();
    complete = true;
  } finally {
    closeSync(fd);
    // A failed write (a full disk) leaves neither the file nor its partial beside it.
    if (!complete) rmSync(partial, { force: true });
  }
  renameSync(partial, path);
}

/** A sink that writes to a file whenever a megabyte of text is waiting. */
class ChunkedFile implements JsonSink {
  private parts: string[] = [];
  private waiting = 0;
  constructor(private readonly fd: number) {}

  push(text: string): void {
    this.parts.push(text);
    this.waiting += text.length;
    if (this.waiting >= 1 << 20) this.flush();
  }

  flush(): void {
    writeSync(this.fd, this.parts.join(""));
    this.parts = [];
    this.waiting = 0;
  }
}

/** A writable `value` as stableJson writes it, its lines indented by `indent`, into `sink`. */
function writeJson(value: unknown, indent: string, sink: JsonSink): void {
  if (typeof value !== "object" || value === null) {
    sink.push(JSON.stringify(value));
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    sink.push("[");
    for (let i = 0; i < value.length; i++) {
      sink.push(i ? `,${inner}` : inner);
      if (writable(value[i])) writeJson(value[i], inner, sink);
      else sink.push("null");
    }
    sink.push(`${indent}]`);
    return;
  }
  const record = value as Record<string, unknown>;
  let first = true;
  sink.push("{");
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (!writable(item)) continue;
    sink.push(`${first ? "" : ","}${inner}${JSON.stringify(key)}: `);
    writeJson(item, inner, sink);
    first = false;
  }
  sink.push(`${indent}}`);
}
