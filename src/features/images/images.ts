import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Construct } from "constructs";
import { PodIdentityModule, type PolicyStatement } from "../../../modules/pod-identity";
import { Fn, type ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import type { SecretRef } from "../../config/secrets";
import { BUILDER_SERVICE_ACCOUNT, builderValues, ECR_MAINTENANCE_SERVICE_ACCOUNT, ecrMaintenanceJob, gpuPrePuller, pullSecretName, pushSecretManifests } from "./manifests";
import type { ImageBuilding, PullSecret } from "./resolve";

export interface ImagesProps {
  /** The deployment's name: prefix of role names. */
  readonly name: string;
  /** The AWS region of the deployment. */
  readonly region: string;
  /** The account id: aws.accountId, or the caller's read at plan time (one data source, the stack's). */
  readonly accountId: string;
  /** The hub's public URL. */
  readonly hubUrl: string;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
  /** Credentials of private registries users' images come from. */
  readonly pullSecrets: readonly PullSecret[];
  /** Images pre-pulled on GPU nodes (references). */
  readonly gpuImages: readonly string[];
  /** Image building, when some group builds. @default none */
  readonly building?: ImageBuilding;
  /** A secret reference's value (the Secrets construct). */
  readonly secretValue: (ref: SecretRef) => string;
  /** The cluster name (the EKS module's output) the Pod Identity associations refer to. */
  readonly clusterName: string;
  /** The hub's namespace (made by the stack). */
  readonly hubNamespace: NamespaceV1;
  /** The release that ships the jobs' code (dandihub-jobs ConfigMap). */
  readonly jobCode: ITerraformDependable;
}

/**
 * Images beyond the curated menu: pull secrets for private registries, pre-pulling of GPU
 * images on GPU nodes only, and (for groups granted it) building images from Git repositories
 * with binderhub-service into this deployment's ECR, scanned on push and expired by age.
 */
export class Images extends Construct {
  /** `<account>.dkr.ecr.<region>.amazonaws.com` (a Terraform expression unless aws.accountId is set). */
  readonly ecrHost: string;
  /** ecrHost with a trailing slash: the prefix of every image reference in it. */
  readonly ecrRegistry: string;
  readonly pullSecretNames: string[] = [];
  readonly pullSecrets: SecretV1[] = [];
  private readonly account: string;

  constructor(scope: Construct, id: string, props: ImagesProps) {
    super(scope, id);
    const namespace = props.hubNamespace.metadata.name;
    this.account = props.accountId;
    this.ecrHost = `${this.account}.dkr.ecr.${props.region}.amazonaws.com`;
    this.ecrRegistry = `${this.ecrHost}/`;

    props.pullSecrets.forEach((p, i) => {
      const name = pullSecretName(i);
      const password = props.secretValue(p.password);
      const secret = new SecretV1(this, `pull-secret-${i}`, {
        metadata: { name, namespace },
        type: "kubernetes.io/dockerconfigjson",
        data: {
          ".dockerconfigjson": Fn.jsonencode({
            auths: { [p.server]: { username: p.username, password, auth: Fn.base64encode(Fn.join(":", [p.username, password])) } },
          }),
        },
        dependsOn: [props.hubNamespace],
      });
      this.pullSecretNames.push(name);
      this.pullSecrets.push(secret);
    });

    const manifests: object[] = [];
    if (props.gpuImages.length) manifests.push(gpuPrePuller(props.gpuImages, this.pullSecretNames));
    if (props.building) this.builder(props, props.building, namespace, manifests);
    if (manifests.length) {
      new HelmChart(this, "manifests", {
        chart: CHARTS.manifests,
        releaseName: "dandihub-images",
        namespace,
        values: { manifests },
        dependsOn: [props.hubNamespace, props.jobCode],
      });
    }
  }

  private builder(props: ImagesProps, building: ImageBuilding, namespace: string, manifests: object[]): void {
    const repositories = `arn:aws:ecr:${props.region}:${this.account}:repository/${building.repositoryPrefix}*`;
    const push: PolicyStatement[] = [
      // Registry-wide by AWS's design: the token itself carries no repository rights.
      { sid: "RegistryLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
      {
        sid: "BuildRepositories",
        actions: [
          "ecr:CreateRepository",
          "ecr:DescribeRepositories",
          "ecr:DescribeImages",
          "ecr:BatchCheckLayerAvailability",
          "ecr:InitiateLayerUpload",
          "ecr:UploadLayerPart",
          "ecr:CompleteLayerUpload",
          "ecr:PutImage",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "ecr:TagResource",
        ],
        resources: [repositories],
      },
    ];
    new PodIdentityModule(this, "builder-role", {
      name: `${props.name}-image-builder`,
      use_name_prefix: false,
      attach_custom_policy: true,
      policy_statements: push,
      associations: { builder: { cluster_name: props.clusterName, namespace, service_account: BUILDER_SERVICE_ACCOUNT } },
      tags: { ...props.tags },
    });
    new PodIdentityModule(this, "ecr-maintenance-role", {
      name: `${props.name}-ecr-maintenance`,
      use_name_prefix: false,
      attach_custom_policy: true,
      policy_statements: [
        // Listing is authorized against every repository of the account and region (read-only).
        { sid: "ListRepositories", actions: ["ecr:DescribeRepositories"], resources: [`arn:aws:ecr:${props.region}:${this.account}:repository/*`] },
        {
          sid: "MaintainBuildRepositories",
          actions: ["ecr:PutLifecyclePolicy", "ecr:PutImageScanningConfiguration", "ecr:DescribeImages", "ecr:StartImageScan", "ecr:TagResource"],
          resources: [repositories],
        },
      ],
      associations: { maintenance: { cluster_name: props.clusterName, namespace, service_account: ECR_MAINTENANCE_SERVICE_ACCOUNT } },
      tags: { ...props.tags },
    });
    new HelmChart(this, "builder", {
      chart: CHARTS.binderhubService,
      releaseName: "binderhub",
      namespace,
      values: builderValues({ building, region: props.region, hubUrl: props.hubUrl, ecrHost: this.ecrHost }),
      dependsOn: [props.hubNamespace],
    });
    manifests.push(
      ...pushSecretManifests(),
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: ECR_MAINTENANCE_SERVICE_ACCOUNT }, automountServiceAccountToken: false },
      // Its code is the dandihub-jobs ConfigMap the storage jobs ship.
      ecrMaintenanceJob(props.name, props.region, building),
    );
  }
}
