import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { PodIdentityModule } from "../../../modules/pod-identity";
import type { ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import { CORE_NODE_LABELS } from "../../core/labels";
import { SYSTEM_NAMESPACE } from "../../core/names";
import { containerResources, requests } from "../../core/resources";

export const ESO_SERVICE_ACCOUNT = "external-secrets";
/** The SecretStore of a namespace that reads this deployment's Secrets Manager secrets. */
export const SECRET_STORE = "dandihub-secrets-manager";

/** One key of a synced Secret: where its value is in Secrets Manager. */
export interface SyncedKey {
  readonly secretKey: string;
  readonly remoteRef: { readonly key: string; readonly property?: string };
}

export interface ExternalSecretsProps {
  readonly name: string;
  readonly region: string;
  /** The account id: aws.accountId, or the caller's read at plan time (one data source, the stack's). */
  readonly accountId: string;
  /** Secrets Manager secret ids (names or ARNs) the controller may read: exactly those. */
  readonly secretIds: readonly string[];
  /** The Secret to keep in sync, in `namespace`. */
  readonly target: { readonly name: string; readonly namespace: NamespaceV1; readonly keys: readonly SyncedKey[] };
  readonly clusterName: string;
  readonly clusterDependency: ITerraformDependable;
  /** Controller replicas on the core nodes. */
  readonly replicas: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The ARNs a secret id may stand for. A name gets Secrets Manager's random 6-character suffix; an
 * ARN may be complete (with it) or partial (without), which its text cannot tell apart, so both.
 */
export function secretArnPatterns(secretId: string, region: string, account: string): string[] {
  if (secretId.startsWith("arn:")) return [secretId, `${secretId}-??????`];
  return [`arn:aws:secretsmanager:${region}:${account}:secret:${secretId}-??????`];
}

/**
 * External Secrets Operator, so a secret the file names in Secrets Manager reaches the cluster
 * without Terraform reading it: Terraform knows its id, the controller (Pod Identity, allowed
 * exactly those secrets) copies the value into a Kubernetes Secret and refreshes it hourly.
 */
export class ExternalSecrets extends Construct {
  /** The synced Secret's release: what reads the Secret waits for it. */
  readonly synced: HelmChart;

  constructor(scope: Construct, id: string, props: ExternalSecretsProps) {
    super(scope, id);
    const account = props.accountId;
    const role = new PodIdentityModule(this, "role", {
      name: `${props.name}-external-secrets`,
      use_name_prefix: false,
      attach_custom_policy: true,
      policy_statements: [
        { sid: "ReadNamedSecrets", actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: props.secretIds.flatMap((s) => secretArnPatterns(s, props.region, account)) },
      ],
      associations: { controller: { cluster_name: props.clusterName, namespace: SYSTEM_NAMESPACE, service_account: ESO_SERVICE_ACCOUNT } },
      tags: { ...props.tags },
    });
    const core = { nodeSelector: { ...CORE_NODE_LABELS } };
    const controller = new HelmChart(this, "chart", {
      chart: CHARTS.externalSecrets,
      namespace: SYSTEM_NAMESPACE,
      values: {
        installCRDs: true,
        replicaCount: props.replicas,
        serviceAccount: { create: true, name: ESO_SERVICE_ACCOUNT },
        ...core,
        resources: containerResources(requests(0.05, 128, 512)),
        webhook: { ...core, resources: containerResources(requests(0.02, 64, 256)) },
        certController: { ...core, resources: containerResources(requests(0.02, 64, 256)) },
      },
      dependsOn: [props.clusterDependency, role],
    });
    const namespace = props.target.namespace.metadata.name;
    this.synced = new HelmChart(this, "synced", {
      chart: CHARTS.manifests,
      releaseName: `${props.target.name}-sync`,
      namespace,
      values: {
        manifests: [
          {
            apiVersion: "external-secrets.io/v1",
            kind: "SecretStore",
            metadata: { name: SECRET_STORE, namespace },
            // No auth: the controller's own credentials (its Pod Identity role).
            spec: { provider: { aws: { service: "SecretsManager", region: props.region } } },
          },
          {
            apiVersion: "external-secrets.io/v1",
            kind: "ExternalSecret",
            metadata: { name: props.target.name, namespace },
            spec: {
              refreshInterval: "1h",
              secretStoreRef: { kind: "SecretStore", name: SECRET_STORE },
              target: { name: props.target.name, creationPolicy: "Owner" },
              data: props.target.keys.map((k) => ({ secretKey: k.secretKey, remoteRef: { ...k.remoteRef } })),
            },
          },
        ],
      },
      dependsOn: [controller.release, props.target.namespace],
    });
  }
}
