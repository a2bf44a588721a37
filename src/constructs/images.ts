import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Construct } from "constructs";
import { PodIdentityModule, type PolicyStatement } from "../../modules/pod-identity";
import { CHARTS } from "../charts";
import { Fn, type ITerraformDependable } from "../cdktf";
import type { HubConfig } from "../config/resolve";
import { HelmChart } from "../helm";
import { buildingEnabled, buildRepositoryPrefix } from "../images/custom-images";
import { CORE_NODE_LABELS, GPU_NODE_AGENT_TOLERATIONS, NVIDIA_GPU_NODES, USER_TOLERATION } from "../labels";
import { BUILDER_NODE_ROLE } from "../karpenter/node-pools";
import type { Cluster } from "./cluster";
import type { Secrets } from "./secrets";
import { BUILDER_SERVICE } from "../jupyterhub/values";
import { HUB_NAMESPACE } from "./jupyterhub";
import { awsJobEnv, CODE_DIR, codeVolume, cronJob, JOB_IMAGES, RESTRICTED } from "./storage-jobs";

export interface ImagesProps {
  readonly config: HubConfig;
  readonly cluster: Cluster;
  readonly secrets: Secrets;
  readonly hubNamespace: NamespaceV1;
  /** The release that ships the jobs' code (dandihub-jobs ConfigMap). */
  readonly jobCode: ITerraformDependable;
}

export const BUILDER_SERVICE_ACCOUNT = "binderhub";
const ECR_MAINTENANCE_SERVICE_ACCOUNT = "dandihub-ecr-maintenance";
const PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

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
  /** In-cluster URL of the image builder, when building is enabled. */
  readonly builderUrl?: string;

  constructor(scope: Construct, id: string, props: ImagesProps) {
    super(scope, id);
    const { config } = props;
    const namespace = props.hubNamespace.metadata.name;
    this.account = config.accountId ?? new DataAwsCallerIdentity(this, "account").accountId;
    this.ecrHost = `${this.account}.dkr.ecr.${config.region}.amazonaws.com`;
    this.ecrRegistry = `${this.ecrHost}/`;

    config.customImages.pullSecrets.forEach((p, i) => {
      const name = `dandihub-pull-${i}`;
      const password = props.secrets.valueOf(["customImages", "pullSecrets", i, "password"]);
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
    const gpuImages = config.images.filter((i) => i.gpu && i.prePull);
    if (gpuImages.length) manifests.push(gpuPrePuller(gpuImages.map((i) => i.ref), this.pullSecretNames));

    if (buildingEnabled(config)) {
      this.builderUrl = `http://${BUILDER_SERVICE_ACCOUNT}.${HUB_NAMESPACE}.svc`;
      this.builder(props, namespace, manifests);
    }
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

  private builder(props: ImagesProps, namespace: string, manifests: object[]): void {
    const { config, cluster } = props;
    const build = config.customImages.build!;
    const repositories = `arn:aws:ecr:${config.region}:${this.account}:repository/${buildRepositoryPrefix(config)}*`;
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
      name: `${config.name}-image-builder`,
      use_name_prefix: false,
      attach_custom_policy: true,
      policy_statements: push,
      associations: { builder: { cluster_name: cluster.eks.clusterName, namespace, service_account: BUILDER_SERVICE_ACCOUNT } },
      tags: { ...config.tags },
    });
    new PodIdentityModule(this, "ecr-maintenance-role", {
      name: `${config.name}-ecr-maintenance`,
      use_name_prefix: false,
      attach_custom_policy: true,
      policy_statements: [
        // Listing is authorized against every repository of the account and region (read-only).
        { sid: "ListRepositories", actions: ["ecr:DescribeRepositories"], resources: [`arn:aws:ecr:${config.region}:${this.account}:repository/*`] },
        {
          sid: "MaintainBuildRepositories",
          actions: ["ecr:PutLifecyclePolicy", "ecr:PutImageScanningConfiguration", "ecr:DescribeImages", "ecr:StartImageScan", "ecr:TagResource"],
          resources: [repositories],
        },
      ],
      associations: { maintenance: { cluster_name: cluster.eks.clusterName, namespace, service_account: ECR_MAINTENANCE_SERVICE_ACCOUNT } },
      tags: { ...config.tags },
    });
    new HelmChart(this, "builder", {
      chart: CHARTS.binderhubService,
      releaseName: "binderhub",
      namespace,
      values: builderValues(config, this.ecrHost),
      dependsOn: [props.hubNamespace],
    });
    manifests.push(
      ...pushSecretManifests(),
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: ECR_MAINTENANCE_SERVICE_ACCOUNT }, automountServiceAccountToken: false },
      // Its code is the dandihub-jobs ConfigMap the storage jobs ship.
      ecrMaintenanceJob(config, build.keepDays),
    );
  }
}

/** The Secret build pods push with; BinderHub's ECR registry class refreshes it (names it so). */
export const PUSH_SECRET = "binder-push-secret";

/** binderhub-service: BinderHub as an API behind the hub, pushing repo2docker builds to ECR. */
export function builderValues(config: HubConfig, ecrHost: string): object {
  const prefix = `/services/${BUILDER_SERVICE}/`;
  return {
    // Names its Deployment, Service and ServiceAccount plain `binderhub`.
    fullnameOverride: "",
    serviceAccount: { create: true, name: BUILDER_SERVICE_ACCOUNT },
    config: {
      BinderHub: {
        base_url: prefix,
        enable_api_only_mode: true,
        use_registry: true,
        // Creates a repository per built image and hands build pods short-lived push tokens
        // obtained with this pod's (Pod Identity) role.
        registry_class: "binderhub.registry.AWSElasticContainerRegistry",
        image_prefix: `${ecrHost}/${buildRepositoryPrefix(config)}`,
        auth_enabled: true,
        hub_url: config.hub.url,
      },
      // `url` must equal the proxyEndpoint ECR returns with the token.
      AWSElasticContainerRegistry: { aws_region: config.region, url: `https://${ecrHost}` },
      KubernetesBuildExecutor: { node_selector: { ...BUILDER_NODE_ROLE } },
    },
    extraConfig: {
      // The ECR class patches a Secret of a fixed name; build pods must push with that one.
      "binderhub-service-01-build-pods-docker-config": `c.KubernetesBuildExecutor.push_secret = "${PUSH_SECRET}"\n`,
    },
    extraEnv: [
      { name: "JUPYTERHUB_API_TOKEN", valueFrom: { secretKeyRef: { name: "hub", key: `hub.services.${BUILDER_SERVICE}.apiToken` } } },
      { name: "JUPYTERHUB_API_URL", value: "http://hub:8081/hub/api" },
      { name: "JUPYTERHUB_BASE_URL", value: "/" },
      { name: "JUPYTERHUB_CLIENT_ID", value: `service-${BUILDER_SERVICE}` },
      { name: "JUPYTERHUB_SERVICE_PREFIX", value: prefix },
      { name: "JUPYTERHUB_OAUTH_CALLBACK_URL", value: `${prefix}oauth_callback` },
      { name: "AWS_REGION", value: config.region },
    ],
    nodeSelector: { ...CORE_NODE_LABELS },
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
    // The Docker daemon builds run in is privileged: only on builder nodes, nothing else there.
    dockerApi: {
      nodeSelector: { ...BUILDER_NODE_ROLE },
      tolerations: [USER_TOLERATION],
    },
  };
}

/** The push Secret (ECR tokens are written into it at build time) and the right to update only it. */
function pushSecretManifests(): object[] {
  return [
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: PUSH_SECRET, annotations: { "dandihub.org/note": "config.json is refreshed by the image builder" } },
      type: "Opaque",
      stringData: { "config.json": JSON.stringify({ auths: {} }) },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "dandihub-builder-push-secret" },
      rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [PUSH_SECRET], verbs: ["get", "patch"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "dandihub-builder-push-secret" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "dandihub-builder-push-secret" },
      subjects: [{ kind: "ServiceAccount", name: BUILDER_SERVICE_ACCOUNT, namespace: HUB_NAMESPACE }],
    },
  ];
}

function ecrMaintenanceJob(config: HubConfig, keepDays: number): object {
  return cronJob(
    "dandihub-ecr-maintenance",
    "30 3 * * *",
    {
      name: "ecr-maintenance",
      image: JOB_IMAGES.pythonBoto3,
      command: ["python3", "-m", "dandihub_jobs.ecr_maintenance"],
      args: ["--prefix", buildRepositoryPrefix(config), "--keep-days", String(keepDays), "--tag", `dandihub:deployment=${config.name}`],
      workingDir: CODE_DIR,
      env: awsJobEnv(config),
      securityContext: RESTRICTED,
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
      volumeMounts: [{ name: "code", mountPath: CODE_DIR, readOnly: true }],
    },
    [codeVolume()],
    { serviceAccountName: ECR_MAINTENANCE_SERVICE_ACCOUNT, component: "image-job" },
  );
}

/**
 * Pulls GPU images onto GPU nodes only (z2jh's puller runs on CPU nodes, where these large
 * images would only waste disk): one init container per image, then a pause container.
 */
export function gpuPrePuller(images: readonly string[], pullSecrets: readonly string[]): object {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "dandihub-gpu-image-puller", labels: { "app.kubernetes.io/part-of": "dandihub" } },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": "dandihub-gpu-image-puller" } },
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "dandihub-gpu-image-puller" } },
        spec: {
          nodeSelector: { ...NVIDIA_GPU_NODES },
          tolerations: [...GPU_NODE_AGENT_TOLERATIONS],
          automountServiceAccountToken: false,
          ...(pullSecrets.length ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) } : {}),
          initContainers: images.map((image, i) => ({
            name: `image-${i}`,
            image,
            command: ["/bin/sh", "-c", "echo pulled"],
            resources: { requests: { cpu: "0", memory: "0" } },
            securityContext: { runAsUser: 65534, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          })),
          containers: [{ name: "pause", image: PAUSE_IMAGE, resources: { requests: { cpu: "0", memory: "0" } }, securityContext: { runAsUser: 65534, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
        },
      },
    },
  };
}
