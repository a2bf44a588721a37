import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import type { Release } from "@cdktf/provider-helm/lib/release";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { Construct } from "constructs";
import type { ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import type { Manifest } from "../../core/jobs";
import { STORAGE_REFS_CONFIGMAP } from "./jobs";

export interface StorageJobsProps {
  /** What the jobs look up by key in the refs ConfigMap: bucket names by group, volume ids by volume. */
  readonly refs: Readonly<Record<string, string>>;
  /** The jobs (features/storage/jobs.ts storageJobManifests) and the dandihub-jobs ConfigMap. */
  readonly manifests: readonly Manifest[];
  /** The hub's namespace (made by the stack). */
  readonly hubNamespace: NamespaceV1;
  /** The claims the jobs mount. */
  readonly dependsOn: ITerraformDependable[];
}

/** The storage jobs' release; it also ships the dandihub-jobs ConfigMap other jobs mount. */
export class StorageJobs extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: StorageJobsProps) {
    super(scope, id);
    const refs = new ConfigMapV1(this, "refs", {
      metadata: { name: STORAGE_REFS_CONFIGMAP, namespace: props.hubNamespace.metadata.name },
      data: { ...props.refs },
      dependsOn: [props.hubNamespace],
    });
    this.release = new HelmChart(this, "jobs", {
      chart: CHARTS.manifests,
      releaseName: "dandihub-storage-jobs",
      namespace: props.hubNamespace.metadata.name,
      values: { manifests: props.manifests },
      dependsOn: [props.hubNamespace, refs, ...props.dependsOn],
    }).release;
  }
}
