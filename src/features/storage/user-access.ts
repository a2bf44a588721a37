import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Construct } from "constructs";
import { PodIdentityModule, type PolicyStatement } from "../../../modules/pod-identity";
import { escapeTemplate } from "../../core/helm-values";
import { GROUP_TAG } from "../../core/labels";
import { userServiceAccount } from "../../core/names";
import { formerlyCalled } from "../../core/renames";
import { RETENTION_SERVICE_ACCOUNT } from "./jobs";

export interface UserAccessProps {
  /** The deployment's name: prefix of the roles. */
  readonly name: string;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
  /** Each group and the buckets its servers may read. */
  readonly groups: readonly { readonly key: string; readonly formerKeys: readonly string[]; readonly readBuckets: readonly string[] }[];
  /** Each group's bucket ARN, by group. */
  readonly bucketArns: Readonly<Record<string, string>>;
  /** Servers may use their own scratch prefix. */
  readonly scratch: boolean;
  /** The retention job gets a role that may add home archives. */
  readonly retention: boolean;
  /** The cluster name (the EKS module's output) the Pod Identity associations refer to. */
  readonly clusterName: string;
  /** The hub's namespace (made by the stack). */
  readonly hubNamespace: NamespaceV1;
}

/**
 * AWS access of user servers, per group and least privilege: a server may read and write only
 * its own scratch prefix (`scratch/<pod name>/` of its group's bucket, keyed on the pod-name
 * session tag EKS Pod Identity sets), read the buckets its group lists in `readBuckets`, and
 * nothing else. The retention job may only add home archives.
 */
export class UserAccess extends Construct {
  constructor(scope: Construct, id: string, props: UserAccessProps) {
    super(scope, id);
    const namespace = props.hubNamespace.metadata.name;
    for (const group of props.groups) {
      const bucketArn = props.bucketArns[group.key];
      // `${aws:PrincipalTag/...}` is IAM's variable, not Terraform's: escaped.
      const own = escapeTemplate("scratch/${aws:PrincipalTag/kubernetes-pod-name}");
      const statements: PolicyStatement[] = props.scratch
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
      formerlyCalled(sa, group.formerKeys.map((k) => `${k}-service-account`));
      const role = new PodIdentityModule(
        this,
        `${group.key}-role`,
        {
          name: `${props.name}-user-${group.key}`,
          use_name_prefix: false,
          attach_custom_policy: statements.length > 0,
          policy_statements: statements.length ? statements : undefined,
          associations: { user: { cluster_name: props.clusterName, namespace, service_account: userServiceAccount(group.key) } },
          tags: { ...props.tags, [GROUP_TAG]: group.key },
        },
        { dependsOn: [sa] },
      );
      formerlyCalled(role, group.formerKeys.map((k) => `${k}-role`));
    }
    if (props.retention) {
      const sa = new ServiceAccountV1(this, "retention-service-account", {
        metadata: { name: RETENTION_SERVICE_ACCOUNT, namespace },
        automountServiceAccountToken: false,
        dependsOn: [props.hubNamespace],
      });
      new PodIdentityModule(
        this,
        "retention-role",
        {
          name: `${props.name}-retention`,
          use_name_prefix: false,
          attach_custom_policy: true,
          policy_statements: [
            {
              sid: "WriteHomeArchives",
              actions: ["s3:PutObject", "s3:AbortMultipartUpload"],
              resources: props.groups.map((g) => `${props.bucketArns[g.key]}/home-archives/*`),
            },
            {
              sid: "CheckHomeArchives",
              actions: ["s3:GetObjectAttributes", "s3:GetObject"],
              resources: props.groups.map((g) => `${props.bucketArns[g.key]}/home-archives/*`),
            },
          ],
          associations: { retention: { cluster_name: props.clusterName, namespace, service_account: RETENTION_SERVICE_ACCOUNT } },
          tags: { ...props.tags },
        },
        { dependsOn: [sa] },
      );
    }
  }
}
