import { Construct } from "constructs";
import { PodIdentityModule } from "../../../modules/pod-identity";
import type { ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import { CORE_NODE_LABELS } from "../../core/labels";
import { SYSTEM_NAMESPACE } from "../../core/names";

export interface LoadBalancerControllerProps {
  /** The EKS cluster's name. */
  readonly clusterName: string;
  /** The AWS region of the deployment. */
  readonly region: string;
  /** The VPC. */
  readonly vpcId: string;
  /** Controller replicas on the core nodes. */
  readonly replicas: number;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
  /** The cluster (module) whose name the Pod Identity association refers to. */
  readonly clusterDependency: ITerraformDependable;
  /** The cluster name as a Terraform expression (the EKS module's output). */
  readonly clusterNameOutput: string;
}

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
    const role = new PodIdentityModule(this, "role", {
      name: `${props.clusterName}-lb-controller`,
      use_name_prefix: false,
      attach_aws_lb_controller_policy: true,
      associations: {
        controller: { cluster_name: props.clusterNameOutput, namespace: SYSTEM_NAMESPACE, service_account: SERVICE_ACCOUNT },
      },
      tags: { ...props.tags },
    });
    this.chart = new HelmChart(this, "chart", {
      chart: CHARTS.awsLoadBalancerController,
      namespace: SYSTEM_NAMESPACE,
      values: {
        clusterName: props.clusterName,
        region: props.region,
        vpcId: props.vpcId,
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        replicaCount: props.replicas,
        nodeSelector: { ...CORE_NODE_LABELS },
        // Tag what the controller creates (NLBs, target groups) like everything else.
        defaultTags: { ...props.tags },
        enableServiceMutatorWebhook: false,
      },
      dependsOn: [props.clusterDependency, role],
    });
  }
}
