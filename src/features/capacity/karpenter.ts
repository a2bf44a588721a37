import { Construct } from "constructs";
import { KarpenterModule } from "../../../modules/karpenter";
import type { ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import { CORE_NODE_LABELS } from "../../core/labels";
import { containerResources } from "../../core/resources";
import { SYSTEM_NAMESPACE } from "../../core/names";
import { KARPENTER_REQUESTS } from "./pools";
import { karpenterManifests, type CapacityPlan, type PoolContext } from "./node-pools";

export interface KarpenterProps {
  /** The EKS cluster's name (fixed: manifests stay literal). */
  readonly clusterName: string;
  /** The cluster name as a Terraform expression (the EKS module's output), for the Pod Identity association. */
  readonly clusterNameOutput: string;
  /** The cluster (module) the controller runs on. */
  readonly clusterDependency: ITerraformDependable;
  /** Tag that lets Karpenter discover the node subnets and security group. */
  readonly discoveryTag: Readonly<Record<string, string>>;
  /** The pools and platform pools to create. */
  readonly plan: CapacityPlan;
  /** Controller replicas on the core nodes. */
  readonly replicas: number;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
  /** More policies of the nodes' role, by a fixed key (the image cache's). @default none */
  readonly nodePolicies?: Readonly<Record<string, string>>;
}

export const KARPENTER_NAMESPACE = SYSTEM_NAMESPACE;
const SERVICE_ACCOUNT = "karpenter";

/** How long an uninstall of the pools may wait for Karpenter to drain and terminate their nodes. */
export const POOLS_TEARDOWN_SECONDS = 1800;

/**
 * Karpenter: controller IAM role (Pod Identity), node role, spot interruption queue with its
 * EventBridge rules, the CRD and controller charts, and the user NodePools. The pools go in as
 * a Helm release of plain manifests, so nothing needs a live cluster at plan time.
 */
export class Karpenter extends Construct {
  readonly pools: HelmChart;
  readonly controller: HelmChart;

  constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    const name = props.clusterName;
    // Fixed names keep every manifest literal (no Terraform interpolation inside YAML).
    const queueName = `${name}-karpenter`;
    const ctx: PoolContext = { clusterName: name, nodeRoleName: `${name}-karpenter-node`, discoveryTag: props.discoveryTag };

    const module = new KarpenterModule(this, "iam", {
      cluster_name: props.clusterNameOutput,
      namespace: KARPENTER_NAMESPACE,
      service_account: SERVICE_ACCOUNT,
      create_pod_identity_association: true,
      enable_spot_termination: true,
      queue_name: queueName,
      rule_name_prefix: `${name}-kp`,
      iam_role_name: `${name}-karpenter-controller`,
      iam_role_use_name_prefix: false,
      node_iam_role_name: ctx.nodeRoleName,
      node_iam_role_use_name_prefix: false,
      node_iam_role_additional_policies: {
        // Session Manager instead of SSH keys for node debugging.
        ssm: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        ...props.nodePolicies,
      },
      tags: { ...props.tags },
    });

    const dependsOn: ITerraformDependable[] = [props.clusterDependency, module];
    const crds = new HelmChart(this, "crd", { chart: CHARTS.karpenterCrd, namespace: KARPENTER_NAMESPACE, values: {}, dependsOn });
    this.controller = new HelmChart(this, "controller", {
      chart: CHARTS.karpenter,
      namespace: KARPENTER_NAMESPACE,
      skipCrds: true,
      values: {
        settings: { clusterName: name, interruptionQueue: queueName },
        serviceAccount: { name: SERVICE_ACCOUNT },
        // Karpenter may start before CoreDNS has nodes to run on.
        dnsPolicy: "Default",
        replicas: props.replicas,
        nodeSelector: { ...CORE_NODE_LABELS },
        controller: { resources: containerResources(KARPENTER_REQUESTS) },
      },
      dependsOn: [...dependsOn, crds.release],
    });
    this.pools = new HelmChart(this, "pools", {
      chart: CHARTS.manifests,
      releaseName: "dandihub-node-pools",
      namespace: KARPENTER_NAMESPACE,
      values: { manifests: karpenterManifests(props.plan, ctx) },
      // Destroyed before the controller (this depends on it): deleting the pools makes Karpenter
      // drain and terminate their nodes, and each EC2NodeClass's finalizer holds the uninstall
      // until its nodes are gone. Draining nodes whose servers have stopped takes minutes.
      timeoutSeconds: POOLS_TEARDOWN_SECONDS,
      dependsOn: [this.controller.release],
    });
  }
}
