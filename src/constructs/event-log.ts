import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { Construct } from "constructs";
import { PodIdentityModule } from "../../modules/pod-identity";
import { Fn, type ITerraformDependable } from "../cdktf";
import { CHARTS } from "../charts";
import type { HubConfig } from "../config/resolve";
import { HelmChart } from "../helm";
import { CORE_NODE_LABELS } from "../labels";
import { ACCESS_LOG_PREFIX, MONITORING_NAMESPACE } from "../monitoring/values";
import type { Cluster } from "./cluster";
import { HUB_NAMESPACE } from "../namespaces";
import { privateBucket } from "./private-bucket";

export interface EventLogProps {
  readonly config: HubConfig;
  readonly cluster: Cluster;
  /** The monitoring namespace the shipper runs in. */
  readonly namespace: ITerraformDependable;
}

export const FLUENT_BIT_IMAGE = "cr.fluentbit.io/fluent/fluent-bit:4.0.9";
const SHIPPER = "dandihub-event-log";

export function eventLogGroupName(config: HubConfig): string {
  return `/dandihub/${config.name}/hub-events`;
}

/** Fluent Bit: the hub container's `dandihub-event` lines to CloudWatch Logs, nothing else. */
export function fluentBitConfig(config: HubConfig): string {
  return [
    "[SERVICE]",
    "    Flush             5",
    "    Log_Level         info",
    "    HTTP_Server       On",
    "    HTTP_Listen       0.0.0.0",
    "    HTTP_Port         2020",
    "[INPUT]",
    "    Name              tail",
    "    Tag               hub",
    // Container log files are <pod>_<namespace>_<container>-<id>.log.
    `    Path              /var/log/containers/hub-*_${HUB_NAMESPACE}_hub-*.log`,
    "    multiline.parser  cri",
    "    DB                /var/fluent-bit/state/hub-events.db",
    "    Mem_Buf_Limit     5MB",
    "    Refresh_Interval  10",
    "[FILTER]",
    "    Name              grep",
    "    Match             hub",
    "    Regex             log dandihub-event",
    "[OUTPUT]",
    "    Name              cloudwatch_logs",
    "    Match             hub",
    `    region            ${config.region}`,
    `    log_group_name    ${eventLogGroupName(config)}`,
    "    log_stream_prefix hub-",
    "    auto_create_group Off",
    "    log_key           log",
    "",
  ].join("\n");
}

function shipperManifests(config: HubConfig): object[] {
  const labels = { "app.kubernetes.io/name": SHIPPER, "app.kubernetes.io/part-of": "dandihub" };
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: SHIPPER }, automountServiceAccountToken: false },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: SHIPPER }, data: { "fluent-bit.conf": fluentBitConfig(config) } },
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: SHIPPER, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: SHIPPER,
            automountServiceAccountToken: false,
            // The hub runs on core nodes only.
            nodeSelector: { ...CORE_NODE_LABELS },
            containers: [
              {
                name: "fluent-bit",
                image: FLUENT_BIT_IMAGE,
                args: ["--config=/fluent-bit/etc/conf/fluent-bit.conf"],
                ports: [{ name: "http", containerPort: 2020 }],
                livenessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 30 },
                resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                volumeMounts: [
                  { name: "config", mountPath: "/fluent-bit/etc/conf", readOnly: true },
                  { name: "logs", mountPath: "/var/log", readOnly: true },
                  { name: "state", mountPath: "/var/fluent-bit/state" },
                ],
              },
            ],
            volumes: [
              { name: "config", configMap: { name: SHIPPER } },
              { name: "logs", hostPath: { path: "/var/log" } },
              { name: "state", hostPath: { path: "/var/fluent-bit/state", type: "DirectoryOrCreate" } },
            ],
          },
        },
      },
    },
  ];
}

/**
 * The access log: hub events (logins, server starts and stops with profile and group) in a
 * CloudWatch log group kept monitoring.logRetentionDays, shipped by Fluent Bit; and, with an
 * ACM certificate (a TLS listener, the only kind NLBs log), load balancer access logs in S3.
 */
export class EventLog extends Construct {
  readonly logGroupName: string;
  /** Bucket of NLB access logs, when the load balancer terminates TLS. */
  readonly accessLogBucket?: string;

  constructor(scope: Construct, id: string, props: EventLogProps) {
    super(scope, id);
    const { config, cluster } = props;
    const days = config.monitoring.logRetentionDays;
    const group = new CloudwatchLogGroup(this, "hub-events", { name: eventLogGroupName(config), retentionInDays: days, tags: { ...config.tags } });
    this.logGroupName = group.name;
    new PodIdentityModule(this, "shipper-role", {
      name: `${config.name}-event-log`,
      use_name_prefix: false,
      attach_custom_policy: true,
      policy_statements: [{ sid: "WriteHubEvents", actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], resources: [group.arn, `${group.arn}:*`] }],
      associations: { shipper: { cluster_name: cluster.eks.clusterName, namespace: MONITORING_NAMESPACE, service_account: SHIPPER } },
      tags: { ...config.tags },
    });
    new HelmChart(this, "shipper", {
      chart: CHARTS.manifests,
      releaseName: SHIPPER,
      namespace: MONITORING_NAMESPACE,
      values: { manifests: shipperManifests(config) },
      dependsOn: [props.namespace, group],
    });

    if (config.hub.tls.kind === "acm") {
      const account = config.accountId ?? new DataAwsCallerIdentity(this, "account").accountId;
      const scope = new Construct(this, "access-logs");
      // NLB log delivery writes with SSE-S3 only.
      const bucket = privateBucket(scope, {
        bucketPrefix: `${config.name}-lb-logs-`,
        tags: { Name: `${config.name}-lb-logs` },
        preventDestroy: !config.storage.allowDestroy,
        sseAlgorithm: "AES256",
      });
      new S3BucketLifecycleConfiguration(scope, "lifecycle", {
        bucket: bucket.id,
        rule: [{ id: "expire", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days }] }],
      });
      new S3BucketPolicy(scope, "policy", {
        bucket: bucket.id,
        policy: Fn.jsonencode({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "NlbLogDelivery",
              Effect: "Allow",
              Principal: { Service: "delivery.logs.amazonaws.com" },
              Action: "s3:PutObject",
              Resource: `${bucket.arn}/${ACCESS_LOG_PREFIX}/AWSLogs/${account}/*`,
              Condition: { StringEquals: { "aws:SourceAccount": account } },
            },
            {
              Sid: "NlbLogDeliveryAclCheck",
              Effect: "Allow",
              Principal: { Service: "delivery.logs.amazonaws.com" },
              Action: "s3:GetBucketAcl",
              Resource: bucket.arn,
              Condition: { StringEquals: { "aws:SourceAccount": account } },
            },
          ],
        }),
      });
      this.accessLogBucket = bucket.bucket;
    }
  }
}
