import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Construct } from "constructs";
import { PodIdentityModule, type PolicyStatement } from "../../modules/pod-identity";
import type { HubConfig } from "../config/resolve";
import { escapeTemplate } from "../helm";
import type { Cluster } from "./cluster";
import type { Storage } from "./storage";

export interface UserAccessProps {
  readonly config: HubConfig;
  readonly cluster: Cluster;
  readonly storage: Storage;
  readonly hubNamespace: NamespaceV1;
}

/** Service account of a group's user servers (their AWS identity through EKS Pod Identity). */
export function userServiceAccount(group: string): string {
  return `user-${group}`;
}

export const RETENTION_SERVICE_ACCOUNT = "dandihub-retention";

/**
 * AWS access of user servers, per group and least privilege: a server may read and write only
 * its own scratch prefix (`scratch/<pod name>/` of its group's bucket, keyed on the pod-name
 * session tag EKS Pod Identity sets), read the buckets its group lists in `readBuckets`, and
 * nothing else. The retention job may only add home archives.
 */
export class UserAccess extends Construct {
  constructor(scope: Construct, id: string, props: UserAccessProps) {
    super(scope, id);
    const { config, cluster, storage } = props;
    const namespace = props.hubNamespace.metadata.name;
    for (const group of config.groups) {
      const bucketArn = storage.bucketArns[group.key];
      // `${aws:PrincipalTag/...}` is IAM's variable, not Terraform's: escaped.
      const own = escapeTemplate("scratch/${aws:PrincipalTag/kubernetes-pod-name}");
      const statements: PolicyStatement[] = config.storage.scratch.enabled
        ? [
            {
              sid: "ListOwnScratch",
              actions: ["s3:ListBucket"],
              resources: [bucketArn],
              condition: [{ test: "StringLike", variable: "s3:prefix", values: [own, `${own}/*`] }],
            },
            {
              sid: "UseOwnScratch",
              actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
              resources: [`${bucketArn}/${own}/*`],
            },
          ]
        : [];
      if (group.readBuckets.length) {
        statements.push(
          { sid: "ListReadBuckets", actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: group.readBuckets.map((b) => `arn:aws:s3:::${b}`) },
          { sid: "ReadReadBuckets", actions: ["s3:GetObject"], resources: group.readBuckets.map((b) => `arn:aws:s3:::${b}/*`) },
        );
      }
      const sa = new ServiceAccountV1(this, `${group.key}-service-account`, {
        metadata: { name: userServiceAccount(group.key), namespace, labels: { "dandihub.org/group": group.key } },
        automountServiceAccountToken: false,
        dependsOn: [props.hubNamespace],
      });
      new PodIdentityModule(
        this,
        `${group.key}-role`,
        {
          name: `${config.name}-user-${group.key}`,
          use_name_prefix: false,
          attach_custom_policy: statements.length > 0,
          policy_statements: statements.length ? statements : undefined,
          associations: { user: { cluster_name: cluster.eks.clusterName, namespace, service_account: userServiceAccount(group.key) } },
          tags: { ...config.tags, "dandihub:group": group.key },
        },
        { dependsOn: [sa] },
      );
    }
    if (config.storage.retention.enabled) {
      const sa = new ServiceAccountV1(this, "retention-service-account", {
        metadata: { name: RETENTION_SERVICE_ACCOUNT, namespace },
        automountServiceAccountToken: false,
        dependsOn: [props.hubNamespace],
      });
      new PodIdentityModule(
        this,
        "retention-role",
        {
          name: `${config.name}-retention`,
          use_name_prefix: false,
          attach_custom_policy: true,
          policy_statements: [
            {
              sid: "WriteHomeArchives",
              actions: ["s3:PutObject", "s3:AbortMultipartUpload"],
              resources: config.groups.map((g) => `${storage.bucketArns[g.key]}/home-archives/*`),
            },
            {
              sid: "CheckHomeArchives",
              actions: ["s3:GetObjectAttributes", "s3:GetObject"],
              resources: config.groups.map((g) => `${storage.bucketArns[g.key]}/home-archives/*`),
            },
          ],
          associations: { retention: { cluster_name: cluster.eks.clusterName, namespace, service_account: RETENTION_SERVICE_ACCOUNT } },
          tags: { ...config.tags },
        },
        { dependsOn: [sa] },
      );
    }
  }
}
