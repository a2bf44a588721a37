/** What the policy rules read: the synthesized stack and the Helm values inside it, parsed. */
import { unescapeTemplate } from "../../core/helm-values";
import type { HubConfig } from "../../config/resolve";

export type Json = Record<string, any>;

export interface StackJson {
  readonly resource?: Record<string, Record<string, Json>>;
  readonly module?: Record<string, Json>;
  readonly variable?: Record<string, Json>;
}

export interface PolicyView {
  readonly config: HubConfig;
  readonly tf: StackJson;
  /** The raw cdk.tf.json text (for scanning). */
  readonly text: string;
  /** Helm values of each release, by release address (e.g. `helm_release.jupyterhub_chart_release`). */
  readonly helm: Readonly<Record<string, Json>>;
}

export function policyView(config: HubConfig, text: string): PolicyView {
  const tf = JSON.parse(text) as StackJson;
  const helm: Record<string, Json> = {};
  for (const [name, r] of Object.entries(tf.resource?.helm_release ?? {})) {
    const values = (r.values as string[] | undefined)?.[0];
    // Literal `${` was escaped for Terraform; undo it to read what Helm gets.
    if (values) helm[`helm_release.${name}`] = JSON.parse(unescapeTemplate(values)) as Json;
  }
  return { config, tf, text, helm };
}

export function resources(view: PolicyView, type: string): [string, Json][] {
  return Object.entries(view.tf.resource?.[type] ?? {}).map(([name, r]) => [`${type}.${name}`, r]);
}

/** Kubernetes objects rendered through our manifests chart, with an address naming release and object. */
export function manifests(view: PolicyView): [string, Json][] {
  return Object.entries(view.helm).flatMap(([address, values]) =>
    Array.isArray(values.manifests) ? (values.manifests as Json[]).map((m): [string, Json] => [`${address}:${m.kind}/${m.metadata?.name}`, m]) : [],
  );
}

/** The hub's settings file (profiles, groups, mounts) from the z2jh values. */
export function hubSettings(view: PolicyView): Json | undefined {
  const text = view.helm["helm_release.jupyterhub_chart_release"]?.hub?.extraFiles?.["dandihub-settings"]?.stringData;
  return text ? (JSON.parse(text) as Json) : undefined;
}
