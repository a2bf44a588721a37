/**
 * What a Terraform plan would do to each resource when a deployment file changes, read from two
 * synthesized stacks: which addresses stay, move (through the `moved` blocks), disappear or
 * appear, and for the types that hold data, whether an attribute the provider cannot change in
 * place (ForceNew) changed, which replaces the resource and loses what it holds.
 */
import type { TfJson } from "./helpers";

type Json = Record<string, any>;

/** How a data-holding type may change without being replaced, from the providers' schemas. */
export interface ReplaceRules {
  /** Attribute paths (dots; single-element blocks are looked through) whose change forces a new resource. */
  readonly forceNew: readonly string[];
  /** Quantities that may grow in place, but not shrink (shrinking fails or replaces). */
  readonly growOnly?: readonly string[];
  /** Attributes that cannot change at all while `whenFrozen` holds (the API refuses: the apply fails). */
  readonly frozen?: readonly string[];
  readonly whenFrozen?: (body: Json) => boolean;
  /** Paths inside a Helm release's values that the objects it holds cannot change in place. */
  readonly valuesForceNew?: readonly string[];
  readonly valuesGrowOnly?: readonly string[];
  /** Paths inside the values that must never change (a statically bound claim's size in the chart). */
  readonly valuesFrozen?: readonly string[];
  /** Which resources of the type hold data (Services: the NFS servers'; releases: the hub's and the NFS servers'). @default all */
  readonly holdsData?: (name: string) => boolean;
}

/**
 * Sources: hashicorp/terraform-provider-aws (internal/service/ec2/ebs_volume.go, efs/file_system.go,
 * s3/bucket.go, backup/vault.go: ForceNew, and ModifyVolume cannot shrink a volume);
 * hashicorp/terraform-provider-kubernetes v2.38.0 (schema_metadata.go: name and namespace;
 * resource_kubernetes_persistent_volume_v1.go: any persistent_volume_source change, volume_mode;
 * schema_persistent_volume_claim.go and its CustomizeDiff: every spec field but
 * resources.requests, and a smaller request; resource_kubernetes_service_v1.go: cluster_ip(s),
 * load_balancer_class, health_check_node_port); hashicorp/terraform-provider-helm v3.1.1
 * (resource_helm_release.go: name and namespace RequiresReplace). A PVC a release holds (the hub's
 * database) is immutable but for its requested size, like the one above. The API resizes only
 * dynamically provisioned claims (PersistentVolumeClaimResize admission): a statically bound
 * claim (storage class "") cannot change its request at all, ours or the NFS chart's.
 */
export const DATA_HOLDING: Readonly<Record<string, ReplaceRules>> = {
  aws_ebs_volume: { forceNew: ["availability_zone", "encrypted", "kms_key_id", "multi_attach_enabled", "outpost_arn", "snapshot_id", "region"], growOnly: ["size"] },
  aws_efs_file_system: { forceNew: ["availability_zone_name", "creation_token", "encrypted", "kms_key_id", "performance_mode", "region"] },
  aws_s3_bucket: { forceNew: ["bucket", "bucket_prefix", "object_lock_enabled", "region"] },
  aws_backup_vault: { forceNew: ["name", "kms_key_arn", "region"] },
  kubernetes_persistent_volume_v1: { forceNew: ["metadata.name", "spec.persistent_volume_source", "spec.volume_mode"] },
  kubernetes_persistent_volume_claim_v1: {
    forceNew: ["metadata.name", "metadata.namespace", "spec.access_modes", "spec.selector", "spec.volume_name", "spec.storage_class_name", "spec.volume_mode", "spec.resources.limits"],
    growOnly: ["spec.resources.requests.storage"],
    frozen: ["spec.resources.requests.storage"],
    whenFrozen: (body) => at(body, "spec.storage_class_name") === "",
  },
  kubernetes_service_v1: {
    forceNew: ["metadata.name", "metadata.namespace", "spec.cluster_ip", "spec.cluster_ips", "spec.load_balancer_class", "spec.health_check_node_port"],
    holdsData: (name) => /^storage_.+_service$/.test(name),
  },
  helm_release: {
    forceNew: ["name", "namespace"],
    valuesForceNew: ["hub.db.type", "hub.db.pvc.storageClassName", "hub.db.pvc.accessModes", "persistentVolume.storageClassName", "eks.volumeId"],
    valuesGrowOnly: ["hub.db.pvc.storage"],
    valuesFrozen: ["persistentVolume.size"],
    holdsData: (name) => name === "jupyterhub_chart_release" || /^storage_.+_server_release$/.test(name),
  },
};

export type Verdict =
  | { readonly kind: "unchanged" | "updated" }
  | { readonly kind: "moved"; readonly to: string; readonly updated: boolean }
  | { readonly kind: "added" }
  | { readonly kind: "removed"; readonly guarded: boolean };

export interface Change {
  readonly address: string;
  readonly type: string;
  readonly holdsData: boolean;
  readonly verdict: Verdict;
  /** Data-holding only: what forces replacement or cannot be applied. */
  readonly replaces: readonly string[];
}

/** `type.name` → its JSON, for resources and module calls (`module.name`). */
function addressed(tf: TfJson): Map<string, { type: string; name: string; body: Json }> {
  const out = new Map<string, { type: string; name: string; body: Json }>();
  for (const [type, byName] of Object.entries(tf.resource ?? {})) for (const [name, body] of Object.entries(byName)) out.set(`${type}.${name}`, { type, name, body: body as Json });
  for (const [name, body] of Object.entries(tf.module ?? {})) out.set(`module.${name}`, { type: "module", name, body: body as Json });
  return out;
}

/** Where state at `address` ends up after following the stack's `moved` blocks. */
export function followMoves(tf: TfJson, address: string): string {
  const next = new Map((tf.moved ?? []).map((m) => [m.from, m.to]));
  let at = address;
  for (let i = 0; next.has(at) && i < 100; i++) at = next.get(at)!;
  return at;
}

/** The value at a dotted path, looking through single-element lists (Terraform's blocks). */
function at(body: unknown, path: string): unknown {
  let v: unknown = body;
  for (const key of path.split(".")) {
    while (Array.isArray(v) && v.length === 1) v = v[0];
    if (!v || typeof v !== "object") return undefined;
    v = (v as Json)[key];
  }
  return v;
}

const QUANTITY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi)?$/;
function bytes(q: unknown): number | undefined {
  if (typeof q === "number") return q;
  const m = typeof q === "string" ? QUANTITY.exec(q) : null;
  return m ? Number(m[1]) * 1024 ** ["", "Ki", "Mi", "Gi", "Ti", "Pi"].indexOf(m[2] ?? "") : undefined;
}

/** References to moved resources, rewritten to where they went (the same object in state). */
function normalized(value: unknown, moves: TfJson): string {
  return JSON.stringify(value ?? null).replace(/\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+|module\.[A-Za-z0-9_-]+)/g, (_match, address: string) => `\${${followMoves(moves, address)}`);
}

function helmValues(body: Json): Json {
  const text = (body.values as string[] | undefined)?.[0];
  return text ? (JSON.parse(text.replace(/\$\$\{/g, "${")) as Json) : {};
}

/** What replaces (or cannot be applied to) a data-holding resource between two versions of it. */
function replacements(type: string, before: Json, after: Json, moves: TfJson): string[] {
  const rules = DATA_HOLDING[type];
  // `spec[0].resources` ignores spec.resources and everything below it.
  const ignored = ((after.lifecycle?.ignore_changes as string[] | undefined) ?? []).map((p) => p.replace(/\[\d+\]/g, ""));
  const isIgnored = (path: string) => ignored.some((p) => path === p || path.startsWith(`${p}.`));
  const out: string[] = [];
  for (const path of rules.frozen ?? []) {
    if (isIgnored(path) || !rules.whenFrozen?.(before)) continue;
    if (normalized(at(before, path), moves) !== normalized(at(after, path), moves)) out.push(`${path} cannot change (the API refuses): ${at(before, path)} -> ${at(after, path)}`);
  }
  for (const path of rules.forceNew) {
    if (isIgnored(path)) continue;
    if (normalized(at(before, path), moves) !== normalized(at(after, path), moves)) out.push(`${path}: ${normalized(at(before, path), moves)} -> ${normalized(at(after, path), moves)}`);
  }
  for (const path of rules.growOnly ?? []) {
    if (isIgnored(path)) continue;
    const [b, a] = [bytes(at(before, path)), bytes(at(after, path))];
    if (b !== undefined && a !== undefined && a < b) out.push(`${path} shrinks: ${at(before, path)} -> ${at(after, path)}`);
  }
  if (rules.valuesForceNew || rules.valuesGrowOnly || rules.valuesFrozen) {
    const [vb, va] = [helmValues(before), helmValues(after)];
    for (const path of rules.valuesForceNew ?? []) {
      if (normalized(at(vb, path), moves) !== normalized(at(va, path), moves)) out.push(`values ${path}: ${normalized(at(vb, path), moves)} -> ${normalized(at(va, path), moves)}`);
    }
    for (const path of rules.valuesFrozen ?? []) {
      if (normalized(at(vb, path), moves) !== normalized(at(va, path), moves)) out.push(`values ${path} cannot change (the chart's claim is statically bound): ${at(vb, path)} -> ${at(va, path)}`);
    }
    for (const path of rules.valuesGrowOnly ?? []) {
      const [b, a] = [bytes(at(vb, path)), bytes(at(va, path))];
      if (b !== undefined && a !== undefined && a < b) out.push(`values ${path} shrinks: ${at(vb, path)} -> ${at(va, path)}`);
    }
  }
  if (before.lifecycle?.prevent_destroy && !after.lifecycle?.prevent_destroy) out.push("lifecycle.prevent_destroy dropped");
  return out;
}

/** Every resource and module call of either stack, classified. */
export function classify(before: TfJson, after: TfJson): Change[] {
  const [b, a] = [addressed(before), addressed(after)];
  const changes: Change[] = [];
  const reached = new Set<string>();
  for (const [address, { type, name, body }] of b) {
    const holdsData = type in DATA_HOLDING && (DATA_HOLDING[type].holdsData?.(name) ?? true);
    const to = followMoves(after, address);
    const next = a.get(to);
    if (!next) {
      changes.push({ address, type, holdsData, verdict: { kind: "removed", guarded: body.lifecycle?.prevent_destroy === true }, replaces: [] });
      continue;
    }
    reached.add(to);
    const updated = normalized({ ...body, "//": undefined }, after) !== normalized({ ...next.body, "//": undefined }, after);
    const replaces = holdsData ? replacements(type, body, next.body, after) : [];
    const verdict: Verdict = to !== address ? { kind: "moved", to, updated } : { kind: updated ? "updated" : "unchanged" };
    changes.push({ address, type, holdsData, verdict, replaces });
  }
  for (const [address, { type, name }] of a) {
    if (reached.has(address)) continue;
    const holdsData = type in DATA_HOLDING && (DATA_HOLDING[type].holdsData?.(name) ?? true);
    changes.push({ address, type, holdsData, verdict: { kind: "added" }, replaces: [] });
  }
  return changes;
}

/**
 * What a plan must never do to data: lose it, replace it, or re-address it without a moved
 * block. Removing a group is refused by Terraform itself: one `prevent_destroy` resource due for
 * destruction fails the whole plan, so nothing of the group goes until storage.allowDestroy.
 */
export function dataProblems(changes: readonly Change[], expectedRemovals: (address: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const removed = changes.filter((c) => c.verdict.kind === "removed");
  const planRefused = removed.some((c) => c.verdict.kind === "removed" && c.verdict.guarded);
  for (const c of changes) {
    if (!c.holdsData) continue;
    if (c.verdict.kind === "removed") {
      if (!expectedRemovals(c.address)) out.push(`${c.address}: removed (a new address without a moved block, or its data deleted)`);
      else if (!planRefused) out.push(`${c.address}: removed, and nothing guarded stops the plan`);
    }
    for (const r of c.replaces) out.push(`${c.address}: ${r}`);
  }
  return out;
}
