/**
 * Kubernetes objects and chart values of images beyond the menu: the image builder
 * (binderhub-service), its push Secret, the nightly ECR maintenance job, and the GPU pre-puller.
 */
import { awsJobEnv, CODE_DIR, codeVolume, cronJob, JOB_IMAGES, RESTRICTED } from "../../core/jobs";
import { BUILDER_NODE_ROLE, CORE_NODE_LABELS, DEPLOYMENT_TAG, GPU_NODE_AGENT_TOLERATIONS, NVIDIA_GPU_NODES, USER_TOLERATION } from "../../core/labels";
import { HUB_NAMESPACE, HUB_SERVICES, hubServiceToken } from "../../core/names";
import type { ImageBuilding } from "./resolve";

export const BUILDER_SERVICE_ACCOUNT = "binderhub";
export const ECR_MAINTENANCE_SERVICE_ACCOUNT = "dandihub-ecr-maintenance";
/** Labels binderhub-service puts on its pod. */
export const BUILDER_POD_LABELS = { "app.kubernetes.io/name": "binderhub-service", "app.kubernetes.io/component": "binderhub" } as const;
/** The Secret build pods push with; BinderHub's ECR registry class refreshes it (names it so). */
export const PUSH_SECRET = "binder-push-secret";
const PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

/** In-cluster URL of the image builder (binderhub-service's Service). */
export const BUILDER_URL = `http://${BUILDER_SERVICE_ACCOUNT}.${HUB_NAMESPACE}.svc`;

export interface BuilderInput {
  readonly building: ImageBuilding;
  readonly region: string;
  readonly hubUrl: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com` (a Terraform expression unless aws.accountId is set). */
  readonly ecrHost: string;
}

/** binderhub-service: BinderHub as an API behind the hub, pushing repo2docker builds to ECR. */
export function builderValues({ building, region, hubUrl, ecrHost }: BuilderInput): object {
  const prefix = `/services/${HUB_SERVICES.builder}/`;
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
        image_prefix: `${ecrHost}/${building.repositoryPrefix}`,
        auth_enabled: true,
        hub_url: hubUrl,
      },
      // `url` must equal the proxyEndpoint ECR returns with the token.
      AWSElasticContainerRegistry: { aws_region: region, url: `https://${ecrHost}` },
      KubernetesBuildExecutor: { node_selector: { ...BUILDER_NODE_ROLE } },
    },
    extraConfig: {
      // The ECR class patches a Secret of a fixed name; build pods must push with that one.
      "binderhub-service-01-build-pods-docker-config": `c.KubernetesBuildExecutor.push_secret = "${PUSH_SECRET}"\n`,
    },
    extraEnv: [
      { name: "JUPYTERHUB_API_TOKEN", valueFrom: hubServiceToken(HUB_SERVICES.builder) },
      { name: "JUPYTERHUB_API_URL", value: "http://hub:8081/hub/api" },
      { name: "JUPYTERHUB_BASE_URL", value: "/" },
      { name: "JUPYTERHUB_CLIENT_ID", value: `service-${HUB_SERVICES.builder}` },
      { name: "JUPYTERHUB_SERVICE_PREFIX", value: prefix },
      { name: "JUPYTERHUB_OAUTH_CALLBACK_URL", value: `${prefix}oauth_callback` },
      { name: "AWS_REGION", value: region },
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
export function pushSecretManifests(): object[] {
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

/** Nightly: lifecycle and scanning on every build repository (its code: the dandihub-jobs ConfigMap). */
export function ecrMaintenanceJob(name: string, region: string, building: ImageBuilding): object {
  return cronJob(
    "dandihub-ecr-maintenance",
    "30 3 * * *",
    {
      name: "ecr-maintenance",
      image: JOB_IMAGES.pythonBoto3,
      command: ["python3", "-m", "dandihub_jobs.ecr_maintenance"],
      args: ["--prefix", building.repositoryPrefix, "--keep-days", String(building.keepDays), "--tag", `${DEPLOYMENT_TAG}=${name}`],
      workingDir: CODE_DIR,
      env: awsJobEnv(region),
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
          // Pod Security's restricted profile (the hub's namespace may enforce it).
          securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
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

/** Name of the i-th pull secret (dockerconfigjson, in the hub's namespace). */
export function pullSecretName(i: number): string {
  return `dandihub-pull-${i}`;
}
