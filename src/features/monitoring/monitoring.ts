import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { PriorityClassV1 } from "@cdktf/provider-kubernetes/lib/priority-class-v1";
import { Construct } from "constructs";
import { PodIdentityModule } from "../../../modules/pod-identity";
import type { ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import { GPU_NODE_AGENT_TOLERATIONS, NVIDIA_GPU_NODES, ON_DEMAND_CORE_PRIORITY } from "../../core/labels";
import { HUB_NAMESPACE, MONITORING_NAMESPACE } from "../../core/names";
import { ALERTMANAGER_SERVICE_ACCOUNT, KUBECOST_RELEASE } from "./values";

export interface MonitoringProps {
  /** The deployment's name: prefix of the topic and role. */
  readonly name: string;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
  /** Who gets alert e-mails (SNS subscriptions). @default none: alerts go nowhere */
  readonly alertEmails?: readonly string[];
  /** kube-prometheus-stack values (values.ts monitoringValues), given the alert topic's ARN when there is one. */
  readonly stackValues: (alertTopicArn?: string) => object;
  /** dandihub's manifests on the stack (manifests.ts monitoringManifests). */
  readonly manifests: readonly object[];
  /** Kubecost's values (manifests.ts kubecostValues), when Kubecost runs. @default no Kubecost */
  readonly kubecost?: object;
  /** GPU metrics (DCGM) on GPU nodes. @default false */
  readonly gpu?: boolean;
  /** The cluster name (the EKS module's output) the Pod Identity association refers to. */
  readonly clusterName: string;
  /** The monitoring namespace (made by the stack: the event log ships from it too). */
  readonly namespace: NamespaceV1;
  /** The hub's release: Grafana and the exporter read their tokens from its Secret. */
  readonly hubRelease: ITerraformDependable;
  /** The release shipping the dandihub-jobs ConfigMap (the exporter's code). */
  readonly jobCode: ITerraformDependable;
}

/**
 * Monitoring for admins: kube-prometheus-stack (Prometheus with our retention, Grafana behind the
 * hub's login), dandihub's exporter, ServiceMonitors, alert rules and dashboards, GPU metrics
 * (DCGM) with GPU profiles, Kubecost, and alert e-mails through an SNS topic.
 */
export class Monitoring extends Construct {
  readonly stack: HelmChart;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    let alertTopicArn: string | undefined;
    const emails = props.alertEmails ?? [];
    if (emails.length) {
      const topic = new SnsTopic(this, "alerts", { name: `${props.name}-alerts`, kmsMasterKeyId: "alias/aws/sns", tags: { ...props.tags } });
      emails.forEach((email, i) => new SnsTopicSubscription(this, `alerts-email-${i}`, { topicArn: topic.arn, protocol: "email", endpoint: email }));
      new PodIdentityModule(this, "alertmanager-role", {
        name: `${props.name}-alertmanager`,
        use_name_prefix: false,
        attach_custom_policy: true,
        // The AWS-managed SNS key's policy already lets account principals encrypt through SNS.
        policy_statements: [{ sid: "PublishAlerts", actions: ["sns:Publish"], resources: [topic.arn] }],
        associations: { alertmanager: { cluster_name: props.clusterName, namespace: MONITORING_NAMESPACE, service_account: ALERTMANAGER_SERVICE_ACCOUNT } },
        tags: { ...props.tags },
      });
      alertTopicArn = topic.arn;
    }
    const priority = new PriorityClassV1(this, "on-demand-core-priority", {
      metadata: { name: ON_DEMAND_CORE_PRIORITY.name },
      value: ON_DEMAND_CORE_PRIORITY.value,
      description: "dandihub: pods that stay on the on-demand core nodes (a zonal volume); preempt stateless core pods",
      dependsOn: [props.namespace],
    });
    this.stack = new HelmChart(this, "stack", {
      chart: CHARTS.kubePrometheusStack,
      releaseName: "monitoring",
      namespace: MONITORING_NAMESPACE,
      values: props.stackValues(alertTopicArn),
      timeoutSeconds: 900,
      dependsOn: [props.namespace, props.hubRelease, priority],
    });
    new HelmChart(this, "dandihub", {
      chart: CHARTS.manifests,
      releaseName: "dandihub-monitoring",
      namespace: HUB_NAMESPACE,
      values: { manifests: props.manifests },
      // The CRDs come with the stack; the exporter's code with the jobs' ConfigMap.
      dependsOn: [this.stack.release, props.jobCode],
    });
    if (props.gpu) {
      new HelmChart(this, "dcgm", {
        chart: CHARTS.dcgmExporter,
        releaseName: "dcgm-exporter",
        namespace: MONITORING_NAMESPACE,
        values: {
          serviceMonitor: { enabled: true, honorLabels: true, interval: "60s" },
          nodeSelector: { ...NVIDIA_GPU_NODES },
          tolerations: [...GPU_NODE_AGENT_TOLERATIONS],
        },
        dependsOn: [this.stack.release],
      });
    }
    if (props.kubecost) {
      new HelmChart(this, "kubecost", {
        chart: CHARTS.kubecost,
        releaseName: KUBECOST_RELEASE,
        namespace: MONITORING_NAMESPACE,
        values: props.kubecost,
        timeoutSeconds: 900,
        dependsOn: [this.stack.release],
      });
    }
  }
}
