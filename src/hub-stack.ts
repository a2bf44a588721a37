import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import type { Construct, Node } from "constructs";
import { TERRAFORM_REQUIRED_VERSION } from "../modules/versions";
import {
  CloudBackend,
  Fn,
  LocalBackend,
  NamedCloudWorkspace,
  S3Backend,
  TerraformOutput,
  TerraformStack,
} from "./cdktf";
import type { HubConfig } from "./config/resolve";
import { MONITORING_NAMESPACE } from "./namespaces";
import { Billing } from "./constructs/billing";
import { Cluster } from "./constructs/cluster";
import { CognitoLogin } from "./constructs/cognito";
import { GpuSupport } from "./constructs/gpu-support";
import { EventLog } from "./constructs/event-log";
import { Images } from "./constructs/images";
import { HUB_NAMESPACE, JupyterHub } from "./constructs/jupyterhub";
import { Karpenter } from "./constructs/karpenter";
import { LoadBalancerController } from "./constructs/load-balancer-controller";
import { Monitoring } from "./constructs/monitoring";
import { Services } from "./constructs/services";
import { Network } from "./constructs/network";
import { Secrets } from "./constructs/secrets";
import { Storage } from "./constructs/storage";
import { StorageClasses } from "./constructs/storage-classes";
import { StorageJobs } from "./constructs/storage-jobs";
import { UserAccess } from "./constructs/user-access";

type TerraformElementLike = Parameters<TerraformStack["getLogicalId"]>[0];

/**
 * One deployment file, one stack: network, cluster, node pools, controllers and the hub.
 *
 * Terraform addresses are the construct path below the stack joined by `_` (for example
 * `module.cluster_eks`), with no hash suffix, so they read well in plans and runbooks. They
 * are API: renaming a construct id replaces real resources unless a `moved` block says so.
 */
export class HubStack extends TerraformStack {
  readonly config: HubConfig;
  readonly hub: JupyterHub;

  constructor(scope: Construct, config: HubConfig) {
    super(scope, config.name);
    this.config = config;
    this.addOverride("terraform.required_version", TERRAFORM_REQUIRED_VERSION);
    this.configureBackend();

    new AwsProvider(this, "aws", {
      region: config.region,
      allowedAccountIds: config.accountId ? [config.accountId] : undefined,
      defaultTags: [{ tags: { ...config.tags } }],
    });

    const discoveryTag = { "karpenter.sh/discovery": config.cluster.name };
    const secrets = new Secrets(this, "secrets", config);
    new Billing(this, "billing", config);
    const network = new Network(this, "network", { config, discoveryTag });
    const cluster = new Cluster(this, "cluster", { config, network, discoveryTag });
    this.configureKubernetesProviders(cluster);

    const storageClasses = new StorageClasses(this, "storage-classes", { dependsOn: [cluster.eks] });
    const karpenter = new Karpenter(this, "karpenter", { config, cluster, discoveryTag, storageZone: network.storageZone });
    const lbController = new LoadBalancerController(this, "lb-controller", { config, cluster, network });
    if (config.profiles.some((p) => p.gpu)) {
      new GpuSupport(this, "gpu", { dependsOn: [karpenter.controller.release] });
    }
    // What everything in the hub's and monitoring's namespaces needs first.
    const platformReady = [lbController.chart.release, karpenter.pools.release, ...storageClasses.classes];
    const hubNamespace = new NamespaceV1(this, "hub-namespace", {
      metadata: { name: HUB_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "dandihub" } },
      dependsOn: platformReady,
    });
    // Was created by the JupyterHub construct until the storage claims needed it first.
    hubNamespace.moveFromId("kubernetes_namespace_v1.jupyterhub_namespace");
    const storage = new Storage(this, "storage", { config, network, cluster, hubNamespace, dependsOn: [karpenter.pools.release] });
    new UserAccess(this, "user-access", { config, cluster, storage, hubNamespace });
    const storageJobs = new StorageJobs(this, "storage-jobs", { config, storage, hubNamespace });
    const images = new Images(this, "images", { config, cluster, secrets, hubNamespace, jobCode: storageJobs.release });
    const cognito = config.authenticator === "cognito" ? new CognitoLogin(this, "cognito", config) : undefined;
    const monitoringNamespace = config.monitoring.enabled
      ? new NamespaceV1(this, "monitoring-namespace", {
          metadata: { name: MONITORING_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "dandihub" } },
          dependsOn: platformReady,
        })
      : undefined;
    const eventLog = monitoringNamespace ? new EventLog(this, "event-log", { config, cluster, namespace: monitoringNamespace }) : undefined;
    this.hub = new JupyterHub(this, "jupyterhub", {
      config,
      secrets,
      namespace: hubNamespace,
      storage,
      cognito,
      images,
      accessLogBucket: eventLog?.accessLogBucket,
      dependsOn: platformReady,
    });

    if (config.services.daskGateway || Object.keys(config.services.charts).length) {
      new Services(this, "services", { config, cluster, hubRelease: this.hub.chart.release });
    }
    if (monitoringNamespace) {
      new Monitoring(this, "monitoring", { config, cluster, namespace: monitoringNamespace, hubRelease: this.hub.chart.release, jobCode: storageJobs.release });
    }

    new TerraformOutput(this, "hub_url", { value: config.hub.url, description: "Where users log in." });
    new TerraformOutput(this, "cluster_name", { value: cluster.eks.clusterName });
    new TerraformOutput(this, "configure_kubectl", {
      value: `aws eks update-kubeconfig --region ${config.region} --name ${config.cluster.name}`,
      description: "Run this to point kubectl at the cluster.",
    });
    new TerraformOutput(this, "load_balancer_hostname", {
      value: this.hub.loadBalancerHostname,
      description: `Point a DNS CNAME for ${config.hub.domain} at this name.`,
    });
  }

  protected allocateLogicalId(element: TerraformElementLike): string {
    const node: Node = "node" in element ? element.node : element;
    const below = node.scopes.slice(node.scopes.indexOf(this) + 1).map((c) => c.node.id);
    // `_` joins path parts, so inside a nested path ids may not contain it: addresses stay unique.
    const allowed = below.length > 1 ? /^[a-z][a-z0-9-]*$/ : /^[a-z][a-z0-9_-]*$/;
    const bad = below.find((id) => !allowed.test(id));
    if (bad !== undefined) throw new Error(`construct id "${bad}" in ${node.path}: use lowercase letters, digits and '-'`);
    return below.join("_");
  }

  private configureBackend(): void {
    const b = this.config.backend;
    if (b.kind === "s3") {
      new S3Backend(this, { bucket: b.bucket, key: b.key, region: b.region, encrypt: true, kmsKeyId: b.kmsKeyId });
      // Native S3 locking (Terraform >= 1.10); no DynamoDB table to create first.
      this.addOverride("terraform.backend.s3.use_lockfile", true);
    } else if (b.kind === "cloud") {
      new CloudBackend(this, { organization: b.organization, workspaces: new NamedCloudWorkspace(b.workspace), hostname: b.hostname });
    } else {
      // Terraform runs in cdktf.out/stacks/<name>; the state lives in the project directory.
      new LocalBackend(this, { path: `../../../${b.path}` });
    }
  }

  /**
   * Helm and Kubernetes providers talk to the cluster this stack creates, with a fresh token from
   * `aws eks get-token` for every connection: a token read once at plan time lasts 15 minutes, less
   * than a first apply that waits on the hub (20 min) and monitoring (15 min each).
   */
  private configureKubernetesProviders(cluster: Cluster): void {
    const connection = {
      host: cluster.eks.clusterEndpoint,
      clusterCaCertificate: Fn.base64decode(cluster.eks.clusterCertificateAuthorityData),
    };
    const exec = {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", cluster.eks.clusterName, "--region", this.config.region, "--output", "json"],
    };
    // The two bindings spell the same exec block differently (list vs object).
    new KubernetesProvider(this, "kubernetes", { ...connection, exec: [exec] });
    new HelmProvider(this, "helm", { kubernetes: { ...connection, exec } });
  }
}
