/**
 * Every Helm chart dandihub installs, pinned exactly, in one place (modules are pinned in
 * modules/versions.ts). `help/versions.md` says how to move a pin.
 */
export interface ChartPin {
  /** Helm repository URL, or `oci://` registry path; empty for a chart shipped in this repo. */
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
}

export const CHARTS = {
  /** Zero to JupyterHub 4.4.0: JupyterHub 5.5, KubeSpawner 7, OAuthenticator 17.4. */
  jupyterhub: { repository: "https://hub.jupyter.org/helm-chart/", chart: "jupyterhub", version: "4.4.0" },
  /** Karpenter 1.11 supports Kubernetes 1.29-1.35. CRDs as their own release so upgrades update them. */
  karpenterCrd: { repository: "oci://public.ecr.aws/karpenter", chart: "karpenter-crd", version: "1.11.1" },
  karpenter: { repository: "oci://public.ecr.aws/karpenter", chart: "karpenter", version: "1.11.1" },
  awsLoadBalancerController: { repository: "https://aws.github.io/eks-charts", chart: "aws-load-balancer-controller", version: "1.14.0" },
  /** NFS server with XFS project quotas on a volume we own (one release per group volume). */
  homeNfs: { repository: "oci://ghcr.io/2i2c-org/jupyterhub-home-nfs", chart: "jupyterhub-home-nfs", version: "1.2.0" },
  /** BinderHub as an API service beside the hub (builds for jupyterhub-fancy-profiles), as 2i2c pins it. */
  binderhubService: { repository: "https://2i2c.org/binderhub-service/", chart: "binderhub-service", version: "0.1.0-0.dev.git.321.h6d1ccf4" },
  /** This repository's charts/manifests: renders given objects (custom resources without a live cluster at plan time). */
  manifests: { repository: "", chart: "manifests", version: "1.0.0" },
  /** Prometheus, Alertmanager, kube-state-metrics, node-exporter, Grafana (the version ai-on-eks pins, 2026-05). */
  kubePrometheusStack: { repository: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "82.16.0" },
  /** NVIDIA DCGM exporter: GPU utilisation per pod (the version ai-on-eks pins). */
  dcgmExporter: { repository: "https://nvidia.github.io/dcgm-exporter/helm-charts", chart: "dcgm-exporter", version: "4.8.1" },
  /**
   * Kubecost (free tier) on the cluster's Prometheus. 2.8.7 is the last release that runs on its
   * own: 2.9.x only prepares agents for 3.0 (it fails without a federated store and a cluster id
   * set twice) and 3.x drops bring-your-own Prometheus (help/versions.md).
   */
  kubecost: { repository: "https://kubecost.github.io/cost-analyzer/", chart: "cost-analyzer", version: "2.8.7" },
  /** External Secrets Operator: Secrets Manager values into Kubernetes Secrets, never through Terraform's state (v1 API). */
  externalSecrets: { repository: "https://charts.external-secrets.io", chart: "external-secrets", version: "2.9.0" },
  /** Dask Gateway (services.daskGateway), in the hub's namespace to share its service tokens. */
  daskGateway: { repository: "https://helm.dask.org/", chart: "dask-gateway", version: "2026.3.0" },
  /**
   * Calico in policy-only mode on the VPC CNI (the Tigera operator and its CRDs, AdminNetworkPolicy
   * included). 3.31 is the last line that ships its CRDs in the chart; 3.32 moves them to a chart
   * of their own to apply server-side (help/versions.md).
   */
  tigeraOperator: { repository: "https://docs.tigera.io/calico/charts", chart: "tigera-operator", version: "v3.31.7" },
  nvidiaDevicePlugin: { repository: "https://nvidia.github.io/k8s-device-plugin", chart: "nvidia-device-plugin", version: "0.17.1" },
} as const satisfies Record<string, ChartPin>;

/** Newest Kubernetes minor the pinned Karpenter supports; config checks refuse newer clusters. */
export const KARPENTER_MAX_KUBERNETES = "1.35";
