import { Construct } from "constructs";
import { KarpenterModule } from "../../modules/karpenter";
import type { ITerraformDependable } from "../cdktf";
import { CHARTS } from "../charts";
import type { HubConfig } from "../config/resolve";
import { HelmChart } from "../helm";
import { karpenterManifests, type PoolContext } from "../karpenter/node-pools";
import { CORE_NODE_LABELS } from "../labels";
import type { Cluster } from "./cluster";

export interface KarpenterProps {
  readonly config: HubConfig;
  readonly cluster: Cluster;
  readonly discoveryTag: Readonly<Record<string, string>>;
  /** Zone of the storage pool (home-nfs mode). */
  readonly storageZone: string;
}

export const KARPENTER_NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "karpenter";

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
    const { config, cluster } = props;
    const name = config.cluster.name;
    // Fixed names keep every manifest literal (no Terraform interpolation inside YAML).
    const queueName = `${name}-karpenter`;
    const ctx: PoolContext = { clusterName: name, nodeRoleName: `${name}-karpenter-node`, discoveryTag: props.discoveryTag };

    const module = new KarpenterModule(this, "iam", {
      cluster_name: cluster.eks.clusterName,
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
      },
      tags: { ...config.tags },
    });

    const dependsOn: ITerraformDependable[] = [cluster.eks, module];
    const crds = new HelmChart(this, "crd", {
      chart: CHARTS.karpenterCrd,
      namespace: KARPENTER_NAMESPACE,
      values: {},
      dependsOn,
    });
    this.controller = new HelmChart(this, "controller", {
      chart: CHARTS.karpenter,
      namespace: KARPENTER_NAMESPACE,
      skipCrds: true,
      values: {
        settings: { clusterName: name, interruptionQueue: queueName },
        serviceAccount: { name: SERVICE_ACCOUNT },
        // Karpenter may start before CoreDNS has nodes to run on.
        dnsPolicy: "Default",
        replicas: Math.min(2, config.cluster.coreNodes.desired),
        nodeSelector: { ...CORE_NODE_LABELS },
        controller: { resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } } },
      },
      dependsOn: [...dependsOn, crds.release],
    });
    this.pools = new HelmChart(this, "pools", {
      chart: CHARTS.manifests,
      releaseName: "dandihub-node-pools",
      namespace: KARPENTER_NAMESPACE,
      values: { manifests: karpenterManifests(config, ctx, props.storageZone) },
      dependsOn: [this.controller.release],
    });
  }
}
