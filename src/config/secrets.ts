/**
 * A secret reference, resolved: where the value comes from at apply time, and the field of the
 * deployment file that asked for it. Each feature's resolution carries its own references
 * (the GitHub client secret, each archive's token, each pull secret's password) and hands them
 * to the Secrets construct as they are; nothing spells a field's path twice.
 */
import { formatPath, type ConfigPath } from "./errors";
import type { SecretRefConfig } from "./scalars";

export type SecretSource = { readonly kind: "variable"; readonly name: string } | { readonly kind: "secretsManager"; readonly secretId: string; readonly key?: string };

export interface SecretRef {
  /** The deployment file's field, e.g. `auth.archives[0].token` (also how the value is found). */
  readonly field: string;
  readonly path: ConfigPath;
  readonly source: SecretSource;
}

/** `ref` as checked (exactly one source; checks.ts refuses the file otherwise). */
export function resolveSecret(path: ConfigPath, ref: SecretRefConfig): SecretRef {
  const source: SecretSource = ref.variable
    ? { kind: "variable", name: ref.variable }
    : { kind: "secretsManager", secretId: ref.secretsManager!.secretId, key: ref.secretsManager!.key };
  return { field: formatPath(path), path, source };
}
