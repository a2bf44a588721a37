import { Construct } from "constructs";
import { PodIdentityModule } from "../../modules/pod-identity";
import { CHARTS } from "../charts";
import type { HubConfig } from "../config/resolve";
import { HelmChart } from "../helm";
import { CORE_NODE_LABELS } from "../labels";
import type { Cluster } from "./cluster";
import type { Network } from "./network";

export interface LoadBalancerControllerProps {
  readonly config: HubConfig;
  readonly cluster: Cluster;
  readonly network: Network;
}

const NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "aws-load-balancer-controller";

/**
 * AWS Load Balancer Controller: turns the hub's LoadBalancer Service into an NLB with IP
 * targets. The chart's Service mutator webhook (which would claim every new LoadBalancer
 * Service) is off: it intercepts every Service in the cluster, so releases that create Services
 * while the controller starts fail with "no endpoints available for service
 * aws-load-balancer-webhook-service". Our one LoadBalancer Service, the hub's, names the
 * controller itself (`aws-load-balancer-type: external`), and still waits on `release`.
 */
export class LoadBalancerController extends Construct {
  readonly chart: HelmChart;

  constructor(scope: Construct, id: string, props: LoadBalancerControllerProps) {
    super(scope, id);
    const { config, cluster, network } = props;
    const role = new PodIdentityModule(this, "role", {
      name: `${config.cluster.name}-lb-controller`,
      use_name_prefix: false,
      attach_aws_lb_controller_policy: true,
      associations: {
        controller: { cluster_name: cluster.eks.clusterName, namespace: NAMESPACE, service_account: SERVICE_ACCOUNT },
      },
      tags: { ...config.tags },
    });
    this.chart = new HelmChart(this, "chart", {
      chart: CHARTS.awsLoadBalancerController,
      namespace: NAMESPACE,
      values: {
        clusterName: config.cluster.name,
        region: config.region,
        vpcId: network.vpc.vpcId,
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        replicaCount: Math.min(2, config.cluster.coreNodes.desired),
        nodeSelector: { ...CORE_NODE_LABELS },
        // Tag what the controller creates (NLBs, target groups) like everything else.
        defaultTags: { ...config.tags },
        enableServiceMutatorWebhook: false,
      },
      dependsOn: [cluster.eks, role],
    });
  }
}
