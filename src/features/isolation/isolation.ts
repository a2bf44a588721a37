import { Construct } from "constructs";
import type { ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import { SYSTEM_NAMESPACE } from "../../core/names";

export interface NetworkIsolationProps {
  /** The policies (features/isolation/plan.ts). */
  readonly manifests: readonly object[];
  /** Calico (its CRDs define AdminNetworkPolicy) and every namespace the policies live in. */
  readonly dependsOn: ITerraformDependable[];
}

/** Installs the deployment's network policies as one release of the manifests chart. */
export class NetworkIsolation extends Construct {
  readonly policies: HelmChart;

  constructor(scope: Construct, id: string, props: NetworkIsolationProps) {
    super(scope, id);
    this.policies = new HelmChart(this, "policies", {
      chart: CHARTS.manifests,
      releaseName: "dandihub-network-policies",
      namespace: SYSTEM_NAMESPACE,
      values: { manifests: props.manifests },
      dependsOn: props.dependsOn,
    });
  }
}
