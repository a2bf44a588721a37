import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { Construct } from "constructs";
import { PodIdentityModule } from "../../../modules/pod-identity";
import { Fn, type ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import { ACCESS_LOG_PREFIX, MONITORING_NAMESPACE } from "../../core/names";
import { privateBucket } from "../../core/private-bucket";
import { eventLogGroupName, SHIPPER, shipperManifests } from "./event-log-shipper";

export interface EventLogProps {
  /** The deployment's name: the log group's, bucket's and role's. */
  readonly name: string;
  /** The AWS region of the deployment. */
  readonly region: string;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
  /** Days CloudWatch keeps the events (and S3 the access logs). */
  readonly retentionDays: number;
  /** The load balancer terminates TLS (ACM): it can write access logs. @default false */
  readonly accessLogs?: boolean;
  /** The account id: aws.accountId, or the caller's read at plan time (one data source, the stack's). */
  readonly accountId: string;
  /** Lift the destroy guard on the access-log bucket (storage.allowDestroy). @default false */
  readonly allowDestroy?: boolean;
  /** The cluster name (the EKS module's output) the Pod Identity association refers to. */
  readonly clusterName: string;
  /** The monitoring namespace the shipper runs in. */
  readonly namespace: ITerraformDependable;
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
    const days = props.retentionDays;
    const group = new CloudwatchLogGroup(this, "hub-events", { name: eventLogGroupName(props.name), retentionInDays: days, tags: { ...props.tags } });
    this.logGroupName = group.name;
    new PodIdentityModule(this, "shipper-role", {
      name: `${props.name}-event-log`,
      use_name_prefix: false,
      attach_custom_policy: true,
      policy_statements: [{ sid: "WriteHubEvents", actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], resources: [group.arn, `${group.arn}:*`] }],
      associations: { shipper: { cluster_name: props.clusterName, namespace: MONITORING_NAMESPACE, service_account: SHIPPER } },
      tags: { ...props.tags },
    });
    new HelmChart(this, "shipper", {
      chart: CHARTS.manifests,
      releaseName: SHIPPER,
      namespace: MONITORING_NAMESPACE,
      values: { manifests: shipperManifests(props.name, props.region) },
      dependsOn: [props.namespace, group],
    });

    if (props.accessLogs) {
      const account = props.accountId;
      const scope = new Construct(this, "access-logs");
      // NLB log delivery writes with SSE-S3 only.
      const bucket = privateBucket(scope, {
        bucketPrefix: `${props.name}-lb-logs-`,
        tags: { Name: `${props.name}-lb-logs` },
        preventDestroy: !props.allowDestroy,
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
