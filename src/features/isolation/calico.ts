import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import type { ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import { SYSTEM_NAMESPACE } from "../../core/names";
import { namespaceMetadata, type PodSecurity } from "../../core/namespaces";
import { calicoValues } from "./calico-values";
import { OPERATOR_NAMESPACE } from "./plan";

export interface CalicoProps {
  /** Pod Security of the operator's namespace. */
  readonly podSecurity: PodSecurity;
  /** The cluster and its core nodes (the operator runs there). */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * Calico, through the Tigera operator, enforcing every NetworkPolicy and AdminNetworkPolicy on
 * every pod: the VPC CNI's own enforcement applies only to pods with owner references, which
 * KubeSpawner's user servers do not have (help/security.md). Installed before any workload.
 */
export class Calico extends Construct {
  readonly chart: HelmChart;

  constructor(scope: Construct, id: string, props: CalicoProps) {
    super(scope, id);
    const namespace = new NamespaceV1(this, "namespace", { metadata: namespaceMetadata(OPERATOR_NAMESPACE, props.podSecurity), dependsOn: props.dependsOn });
    // The VPC CNI annotates pods with their addresses (ANNOTATE_POD_IP) only if it may patch them.
    const role = new ClusterRoleV1(this, "annotate-pods-role", {
      metadata: { name: "dandihub-aws-node-annotate-pods" },
      rule: [{ apiGroups: [""], resources: ["pods"], verbs: ["patch"] }],
      dependsOn: props.dependsOn,
    });
    new ClusterRoleBindingV1(this, "annotate-pods-binding", {
      metadata: { name: "dandihub-aws-node-annotate-pods" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
      subject: [{ kind: "ServiceAccount", name: "aws-node", namespace: SYSTEM_NAMESPACE }],
      dependsOn: props.dependsOn,
    });
    this.chart = new HelmChart(this, "operator", {
      chart: CHARTS.tigeraOperator,
      releaseName: "calico",
      namespace: OPERATOR_NAMESPACE,
      values: calicoValues(),
      dependsOn: [namespace],
    });
  }
}
