import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import type { Construct, Node } from "constructs";
import { TERRAFORM_REQUIRED_VERSION } from "../modules/versions";
import { CloudBackend, Fn, LocalBackend, NamedCloudWorkspace, S3Backend, StackSynthesizer, TerraformOutput, TerraformStack } from "./core/cdktf";
import { HUB_NAMESPACE, MONITORING_NAMESPACE } from "./core/names";
import { namespaceMetadata } from "./core/namespaces";
import { LeanStackSynthesizer, leanToTerraform } from "./core/lean-synth";
import { addressId, MovedBlocks } from "./core/renames";
import { Secrets } from "./core/secrets";
import type { HubConfig } from "./config/resolve";
import { CognitoLogin } from "./features/auth/cognito";
import { AUTH_EXTERNAL_SECRET, authSecretData, externalAuthData } from "./features/auth/hub";
import { ExternalSecrets } from "./features/platform/external-secrets";
import { GpuSupport } from "./features/capacity/gpu-support";
import { Karpenter } from "./features/capacity/karpenter";
import { Calico } from "./features/isolation/calico";
import { NetworkIsolation } from "./features/isolation/isolation";
import { isolationManifests } from "./features/isolation/plan";
import { namespaceSecurity } from "./features/isolation/pod-security";
import { Billing } from "./features/cost/billing";
import { hubValues } from "./features/hub/assemble";
import { JupyterHub } from "./features/hub/jupyterhub";
import { ImageCache } from "./features/images/image-cache";
import { UserDataKey } from "./features/storage/user-data-key";
import { Images } from "./features/images/images";
import { EventLog } from "./features/monitoring/event-log";
import { kubecostValues, monitoringManifests, pricedInstanceTypes } from "./features/monitoring/manifests";
import { Monitoring } from "./features/monitoring/monitoring";
import { monitoringValues } from "./features/monitoring/values";
import { Cluster } from "./features/platform/cluster";
import { LoadBalancerController } from "./features/platform/load-balancer-controller";
import { Network } from "./features/platform/network";
import { Services } from "./features/services/services";
import { bucketRef, growerJobManifests, storageJobManifests, volumeIdRef } from "./features/storage/jobs";
import { Storage } from "./features/storage/storage";
import { StorageClasses } from "./features/storage/storage-classes";
import { StorageJobs } from "./features/storage/storage-jobs";
import { warmManifests } from "./features/capacity/warm";
import { UserAccess } from "./features/storage/user-access";
import { VolumeGrower } from "./features/storage/volume-grower";

const leanSynth = () => process.env.DANDIHUB_LEAN_SYNTH !== "0";

type TerraformElementLike = Parameters<TerraformStack["getLogicalId"]>[0];

/**
 * One deployment file, one stack: the composition root. It hands each feature's constructs the
 * slice of the HubConfig they use, and the outputs of the constructs they build on.
 *
 * Terraform addresses are the construct path below the stack joined by `_` (for example
 * `module.cluster_eks`), with no hash suffix, so they read well in plans and runbooks. They
 * are API: renaming a construct id replaces real resources unless a `moved` block says so.
 */
export class HubStack extends TerraformStack {
  readonly config: HubConfig;
  readonly hub: JupyterHub;

  /**
   * CDKTF's prepare pass resolves every element once more before synthesis, only so that
   * references between stacks can add their outputs and remote state: a third of a large synth.
   * A HubStack references no other stack (each deployment file is a stack of its own), so only
   * the backend check runs.
   */
  override prepareStack(): void {
    this.ensureBackendExists();
  }

  /**
   * CDKTF's own toTerraform resolves every value token by token, twice; leanToTerraform gives the
   * same JSON walking plain data itself, and LeanStackSynthesizer writes it faster.
   * `DANDIHUB_LEAN_SYNTH=0` uses CDKTF's own for both.
   */
  override toTerraform(): Record<string, unknown> {
    return leanSynth() ? leanToTerraform(this) : super.toTerraform();
  }

  constructor(scope: Construct, config: HubConfig) {
    super(scope, config.name);
    if (leanSynth()) this.synthesizer = LeanStackSynthesizer.replacing(this.synthesizer as StackSynthesizer, this);
    this.config = config;
    this.addOverride("terraform.required_version", TERRAFORM_REQUIRED_VERSION);
    this.configureBackend();
    // Renamed groups (groups.<key>.renamedFrom): state follows every resource made for them.
    new MovedBlocks(this, "renames", this);

    const { name, tags, region } = config;
    new AwsProvider(this, "aws", {
      region,
      allowedAccountIds: config.accountId ? [config.accountId] : undefined,
      defaultTags: [{ tags: { ...tags } }],
    });

    const discoveryTag = { "karpenter.sh/discovery": config.cluster.name };
    // The account: literal when the file names it, else read once at plan time.
    const account = config.accountId ?? new DataAwsCallerIdentity(this, "account").accountId;
    const secrets = new Secrets(this, "secrets", { refs: config.secrets });
    new Billing(this, "billing", {
      name,
      tags,
      activateTags: config.cost.activateTags,
      budgets: config.groups.flatMap((g) => (g.budget ? [{ group: g.key, formerKeys: g.formerKeys, budget: g.budget }] : [])),
    });
    const network = new Network(this, "network", { name, network: config.network, tags, discoveryTag });
    const userDataKey = config.storage.kmsKey === "customer" ? new UserDataKey(this, "user-data-key", { name, tags, preventDestroy: !config.storage.allowDestroy }).arn : undefined;
    const cluster = new Cluster(this, "cluster", {
      cluster: config.cluster,
      tags,
      vpcId: network.vpc.vpcId,
      privateSubnetIds: network.vpc.privateSubnetIds,
      discoveryTag,
      efsCsiDriver: config.storage.mode === "efs",
      ebsKmsKeyArns: userDataKey ? [userDataKey] : [],
      agentCidrs: config.backend.kind === "cloud" ? config.backend.agentCidrs : [],
    });
    const eks = cluster.eks;
    this.configureKubernetesProviders(cluster);
    const podSecurity = namespaceSecurity(config);
    // Policy enforcement before any workload: every pod started later is policed from its start.
    const calico = new Calico(this, "calico", { podSecurity: podSecurity.operator, dependsOn: [eks] });

    const storageClasses = new StorageClasses(this, "storage-classes", { dependsOn: [eks], kmsKeyArn: userDataKey });
    const imageCache = config.imageCache?.rules.length
      ? new ImageCache(this, "image-cache", { name: config.name, region, accountId: config.accountId!, cache: config.imageCache, tags })
      : undefined;
    const karpenter = new Karpenter(this, "karpenter", {
      clusterName: config.cluster.name,
      clusterNameOutput: eks.clusterName,
      clusterDependency: eks,
      discoveryTag,
      replicas: config.cluster.controllerReplicas,
      tags,
      nodePolicies: imageCache ? { "image-cache": imageCache.nodePolicyArn } : undefined,
      plan: {
        pools: config.pools,
        userNodes: config.userNodes,
        tags,
        storagePool: config.storage.mode === "home-nfs" && config.storage.servers === "dedicated",
        nfsServers: config.groups.length + 1,
        builder: config.customImages.building !== undefined,
      },
    });
    const lbController = new LoadBalancerController(this, "lb-controller", {
      clusterName: config.cluster.name,
      clusterNameOutput: eks.clusterName,
      clusterDependency: eks,
      region,
      vpcId: network.vpc.vpcId,
      replicas: config.cluster.controllerReplicas,
      tags,
    });
    if (config.profiles.some((p) => p.gpu)) new GpuSupport(this, "gpu", { dependsOn: [karpenter.controller.release] });

    // What everything in the hub's and monitoring's namespaces needs first.
    const platformReady = [calico.chart.release, lbController.chart.release, karpenter.pools.release, ...storageClasses.classes];
    const hubNamespace = new NamespaceV1(this, "hub-namespace", {
      metadata: namespaceMetadata(HUB_NAMESPACE, podSecurity.hub),
      dependsOn: platformReady,
    });
    // Was created by the JupyterHub construct until the storage claims needed it first.
    hubNamespace.moveFromId("kubernetes_namespace_v1.jupyterhub_namespace");

    const storage = new Storage(this, "storage", {
      name,
      storage: config.storage,
      groups: config.groups,
      privateSubnetCidrs: config.network.privateSubnets,
      podSecurity: podSecurity.storage,
      vpcId: network.vpc.vpcId,
      privateSubnetIds: network.vpc.privateSubnetIds,
      azs: config.network.azs,
      storageZone: network.storageZone,
      nodeSecurityGroupId: eks.nodeSecurityGroupId,
      hubNamespace,
      dependsOn: [karpenter.pools.release],
      kmsKeyArn: userDataKey,
      accountId: account,
    });
    const claims = storage.volumes.map((v) => v.claim);
    new UserAccess(this, "user-access", {
      name,
      tags,
      groups: config.groups,
      bucketArns: storage.bucketArns,
      scratch: config.storage.scratch.enabled,
      retention: config.storage.retention.enabled,
      clusterName: eks.clusterName,
      hubNamespace,
    });
    if (storage.growing.length) new VolumeGrower(this, "volume-grower", { name, tags, volumes: storage.growing, clusterName: eks.clusterName, hubNamespace });
    const storageJobs = new StorageJobs(this, "storage-jobs", {
      refs: {
        ...Object.fromEntries(config.groups.map((g) => [bucketRef(g.key), storage.buckets[g.key]])),
        ...Object.fromEntries(storage.growing.map((v) => [volumeIdRef(v.volume), v.volumeId])),
      },
      manifests: [
        ...storageJobManifests({ region, storage: config.storage, groups: config.groups.map((g) => ({ key: g.key, volume: g.storage.volume })) }),
        ...growerJobManifests({ region, growth: config.storage.growth, volumes: storage.growing }),
        // Warm capacity's scaler runs the jobs' code too.
        ...warmManifests(config.groups.flatMap((g) => (g.warm ? [g.warm] : [])), HUB_NAMESPACE),
      ],
      hubNamespace,
      dependsOn: claims,
    });
    const images = new Images(this, "images", {
      name,
      region,
      accountId: account,
      hubUrl: config.hub.url,
      tags,
      pullSecrets: config.customImages.pullSecrets,
      gpuImages: config.images.filter((i) => i.gpu && i.prePull).map((i) => i.ref),
      building: config.customImages.building,
      secretValue: (ref) => secrets.valueOf(ref),
      clusterName: eks.clusterName,
      hubNamespace,
      jobCode: storageJobs.release,
    });
    const login = config.auth.login;
    const cognito = login.kind === "cognito" ? new CognitoLogin(this, "cognito", { name, region, domainPrefix: login.domainPrefix, hubUrl: config.hub.url }) : undefined;

    const monitoringNamespace = config.monitoring.enabled
      ? new NamespaceV1(this, "monitoring-namespace", {
          metadata: namespaceMetadata(MONITORING_NAMESPACE, podSecurity.monitoring),
          dependsOn: platformReady,
        })
      : undefined;
    const eventLog = monitoringNamespace
      ? new EventLog(this, "event-log", {
          name,
          region,
          tags,
          retentionDays: config.monitoring.logRetentionDays,
          accessLogs: config.hub.tls.kind === "acm",
          accountId: account,
          allowDestroy: config.storage.allowDestroy,
          clusterName: eks.clusterName,
          namespace: monitoringNamespace,
        })
      : undefined;

    // Credentials the file keeps in Secrets Manager reach the hub through ESO, not Terraform's state.
    const synced = externalAuthData(config.auth);
    const externalSecrets = synced.length
      ? new ExternalSecrets(this, "external-secrets", {
          name,
          region,
          accountId: account,
          secretIds: [...new Set(synced.map((k) => k.remoteRef.key))],
          target: { name: AUTH_EXTERNAL_SECRET, namespace: hubNamespace, keys: synced },
          clusterName: eks.clusterName,
          clusterDependency: eks,
          replicas: config.cluster.controllerReplicas,
          tags,
        })
      : undefined;
    this.hub = new JupyterHub(this, "jupyterhub", {
      values: hubValues(config, {
        buckets: storage.buckets,
        ecrRegistry: images.ecrRegistry,
        imagePullSecrets: images.pullSecretNames,
        cognito,
        accessLogBucket: eventLog?.accessLogBucket,
      }),
      authSecretData: authSecretData(config.auth, (ref) => secrets.valueOf(ref), cognito),
      namespace: hubNamespace,
      dependsOn: [...platformReady, ...claims, ...images.pullSecrets, ...(externalSecrets ? [externalSecrets.synced.release] : [])],
    });

    const services =
      config.services.daskGateway || config.services.charts.length
        ? new Services(this, "services", { name, tags, services: config.services, pools: config.pools, clusterName: eks.clusterName, hubRelease: this.hub.chart.release, podSecurity: podSecurity.service })
        : undefined;
    new NetworkIsolation(this, "isolation", {
      manifests: isolationManifests(config),
      dependsOn: [calico.chart.release, hubNamespace, ...(monitoringNamespace ? [monitoringNamespace] : []), ...storage.namespaces, ...(services?.namespaces ?? [])],
    });
    if (monitoringNamespace) {
      const exporter = { storageMode: config.storage.mode, groups: config.groups, instanceTypes: pricedInstanceTypes(config.profiles), spotDiscount: config.cost.spotDiscount };
      new Monitoring(this, "monitoring", {
        name,
        tags,
        alertEmails: config.monitoring.alertEmails,
        stackValues: (alertTopicArn) =>
          monitoringValues(
            { name, region, hubUrl: config.hub.url, monitoring: config.monitoring, audience: { admins: config.auth.admins, groups: config.groups, viewers: config.monitoring.grafanaViewers } },
            { alertTopicArn },
          ),
        manifests: monitoringManifests({ ...exporter, alerts: config, metrics: config }),
        kubecost: config.cost.kubecost ? kubecostValues(name) : undefined,
        gpu: config.profiles.some((p) => p.gpu),
        clusterName: eks.clusterName,
        namespace: monitoringNamespace,
        hubRelease: this.hub.chart.release,
        jobCode: storageJobs.release,
      });
    }

    new TerraformOutput(this, "hub_url", { value: config.hub.url, description: "Where users log in." });
    new TerraformOutput(this, "cluster_name", { value: eks.clusterName });
    new TerraformOutput(this, "configure_kubectl", {
      value: `aws eks update-kubeconfig --region ${region} --name ${config.cluster.name}`,
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
    return addressId(below);
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
