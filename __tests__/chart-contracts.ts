/**
 * What each pinned upstream chart demands of its values, as looked up in the chart's own source
 * at the pinned release (its `required`/`fail` conditions and the facts dandihub relies on). The
 * charts cannot be fetched in CI, so these records stand in for rendering them: when a pin moves,
 * its contract must be looked up again (chart-contracts.test.ts refuses a pin without one).
 */

/** Values are whatever JSON the release carries. */
// biome-ignore lint: values are untyped JSON
export type Json = any;

export interface ChartRule {
  /** The condition, in the chart's words where it has any. */
  readonly says: string;
  /** Whether the release's values (and namespace) meet it. */
  readonly holds: (values: Json, namespace: string) => boolean;
}

/** A kind of pod a chart runs, with the labels and ports the chart gives it (as `helm template` renders them). */
export interface ChartPod {
  readonly role: string;
  readonly labels: (release: string, values: Json) => Record<string, string>;
  /** Named container ports (NetworkPolicies may name them). @default none */
  readonly ports?: Readonly<Record<string, number>>;
  /** Where they run when not in the release's namespace. */
  readonly namespace?: (values: Json, releaseNamespace: string) => string;
  /** Whether the release runs these pods with these values. @default always */
  readonly runs?: (values: Json) => boolean;
  /** Whether the release calls the hub API through these pods. @default no */
  readonly callsHub?: (values: Json) => boolean;
}

export interface ChartContract {
  readonly chart: string;
  readonly version: string;
  /** Repository and path read, at the release's tag or commit. */
  readonly source: string;
  readonly rules: readonly ChartRule[];
  /** Its pods that have a pod network address (not hostNetwork ones). @default none */
  readonly pods?: readonly ChartPod[];
}

const get = (v: Json, path: string): Json => path.split(".").reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), v);
const has = (v: Json, path: string) => get(v, path) !== undefined && get(v, path) !== null && get(v, path) !== "";

/** z2jh and binderhub-service share the hub.extraFiles (and extraFiles) helper: same conditions. */
const extraFilesRule = (path: string): ChartRule => ({
  says: `${path} entries must contain the field 'mountPath' and only one of the fields: 'data', 'stringData', and 'binaryData'`,
  holds: (v) => Object.values((get(v, path) ?? {}) as Record<string, Json>).every((f) => has(f, "mountPath") && ["data", "stringData", "binaryData"].filter((k) => k in f).length === 1),
});

export const CONTRACTS: readonly ChartContract[] = [
  {
    chart: "jupyterhub",
    version: "4.4.0",
    source: "jupyterhub/zero-to-jupyterhub-k8s@4.4.0 jupyterhub/templates (NOTES.txt, _helpers-*.tpl, proxy/autohttps)",
    rules: [
      extraFilesRule("hub.extraFiles"),
      { says: "proxy.https.letsencrypt.contactEmail is a required field (type letsencrypt)", holds: (v) => get(v, "proxy.https.type") !== "letsencrypt" || has(v, "proxy.https.letsencrypt.contactEmail") },
      { says: "hub.extraEnv values are strings or objects (an env entry); anything else 'had an unexpected type'", holds: (v) => Object.values(get(v, "hub.extraEnv") ?? {}).every((x) => typeof x === "string" || (typeof x === "object" && x !== null)) },
      { says: "BREAKING: singleuser.cloudMetadata.enabled, rbac.enabled and hub.fsGid are no longer accepted", holds: (v) => !has(v, "singleuser.cloudMetadata.enabled") && !has(v, "rbac.enabled") && !has(v, "hub.fsGid") },
      {
        says: "BREAKING: singleuser.cloudMetadata.blockWithIptables must not be configured together with singleuser.networkPolicy.egressAllowRules.cloudMetadataServer",
        holds: (v) => !(get(v, "singleuser.cloudMetadata.blockWithIptables") && get(v, "singleuser.networkPolicy.egressAllowRules.cloudMetadataServer")),
      },
      {
        says: "the hub NetworkPolicy admits, besides hub.networkPolicy.ingress, only pods labelled hub.jupyter.org/network-access-hub in its own namespace (interNamespaceAccessLabels: ignore)",
        holds: (v) => (get(v, "hub.networkPolicy.interNamespaceAccessLabels") ?? "ignore") === "ignore",
      },
    ],
    // User servers are KubeSpawner's, not the chart's (isolation-model.ts adds them).
    pods: [
      {
        role: "hub",
        labels: (release) => ({ component: "hub", app: "jupyterhub", release, "hub.jupyter.org/network-access-proxy-api": "true", "hub.jupyter.org/network-access-proxy-http": "true", "hub.jupyter.org/network-access-singleuser": "true" }),
        ports: { http: 8081 },
      },
      { role: "proxy", labels: (release) => ({ component: "proxy", app: "jupyterhub", release, "hub.jupyter.org/network-access-hub": "true", "hub.jupyter.org/network-access-singleuser": "true" }), ports: { http: 8000, api: 8001 } },
      {
        role: "autohttps",
        labels: (release) => ({ component: "autohttps", app: "jupyterhub", release, "hub.jupyter.org/network-access-proxy-http": "true" }),
        ports: { http: 8080, https: 8443 },
        runs: (v) => get(v, "proxy.https.enabled") === true && get(v, "proxy.https.type") === "letsencrypt",
      },
      { role: "continuous-image-puller", labels: (release) => ({ component: "continuous-image-puller", app: "jupyterhub", release }) },
    ],
  },
  {
    chart: "karpenter",
    version: "1.11.1",
    source: "aws/karpenter-provider-aws@v1.11.1 charts/karpenter/templates/deployment.yaml",
    rules: [{ says: "Chart cannot be installed without a valid settings.clusterName!", holds: (v) => has(v, "settings.clusterName") }],
  },
  { chart: "karpenter-crd", version: "1.11.1", source: "aws/karpenter-provider-aws@v1.11.1 charts/karpenter-crd (CRDs only, no values read)", rules: [] },
  {
    chart: "aws-load-balancer-controller",
    version: "1.14.0",
    source: "aws/eks-charts@049a6f7 (v2.14.0) stable/aws-load-balancer-controller/templates (deployment.yaml, hpa.yaml, webhook.yaml)",
    rules: [
      { says: "Chart cannot be installed without a valid clusterName!", holds: (v) => has(v, "clusterName") },
      { says: "A valid .Values.autoscaling.maxReplicas value is required (autoscaling enabled)", holds: (v) => !get(v, "autoscaling.enabled") || has(v, "autoscaling.maxReplicas") },
      {
        says: "enableServiceMutatorWebhook (default true) adds mservice.elbv2.k8s.aws, failurePolicy Fail, on every Service: off, so no release races the controller's start",
        holds: (v) => get(v, "enableServiceMutatorWebhook") === false,
      },
    ],
  },
  {
    chart: "jupyterhub-home-nfs",
    version: "1.2.0",
    source: "2i2c-org/jupyterhub-home-nfs@1.2.0 helm/jupyterhub-home-nfs (values.schema.json, templates/configmap.yaml, persistent-volume.yaml)",
    rules: [
      { says: "eks.enabled binds the pre-made EBS volume eks.volumeId", holds: (v) => !get(v, "eks.enabled") || has(v, "eks.volumeId") },
      { says: "with enableClientAllowlist, Clients = allowedClients (an empty list serves nobody)", holds: (v) => !get(v, "nfsServer.enableClientAllowlist") || (get(v, "nfsServer.allowedClients") ?? []).length > 0 },
      {
        says: "the export is All_Squash with Anonymous_uid/gid = quotaEnforcer.config.QuotaManager.uid/gid (default 1000/1000), which also own /export",
        holds: (v) => get(v, "quotaEnforcer.config.QuotaManager.uid") === 1000 && get(v, "quotaEnforcer.config.QuotaManager.gid") === 100,
      },
    ],
    pods: [
      {
        role: "nfs-server",
        labels: (release) => ({ "app.kubernetes.io/name": "home-nfs", "app.kubernetes.io/instance": release, "app.kubernetes.io/component": "nfs-server", app: "nfs-server", component: "shared-volume-metrics" }),
        ports: { nfs: 2049, mountd: 20048, rpcbind: 111, metrics: 9100 },
      },
    ],
  },
  {
    chart: "binderhub-service",
    version: "0.1.0-0.dev.git.321.h6d1ccf4",
    source: "2i2c-org/binderhub-service@6d1ccf4 binderhub-service/templates",
    rules: [extraFilesRule("extraFiles")],
    pods: [
      {
        role: "binderhub",
        labels: (release) => ({ "app.kubernetes.io/name": "binderhub-service", "app.kubernetes.io/instance": release, "app.kubernetes.io/component": "binderhub" }),
        ports: { http: 8585 },
        callsHub: (v) => JSON.stringify(v.extraEnv ?? []).includes("JUPYTERHUB_API_URL"),
      },
      { role: "docker-api", labels: (release) => ({ "app.kubernetes.io/name": "binderhub-service", "app.kubernetes.io/instance": release, "app.kubernetes.io/component": "docker-api" }) },
      // binderhub's KubernetesBuildExecutor labels its build pods (binderhub/build.py).
      { role: "build", labels: () => ({ component: "binderhub-build", name: "build-example" }) },
    ],
  },
  {
    chart: "external-secrets",
    version: "2.9.0",
    source: "external-secrets/external-secrets@v2.9.0 deploy/charts/external-secrets (templates/_helpers.tpl, deployment.yaml, values.yaml)",
    rules: [
      { says: "installCRDs (default true) installs the external-secrets.io CRDs: dandihub's SecretStore and ExternalSecret need them", holds: (v) => get(v, "installCRDs") !== false },
      {
        says: "You have disabled processing of PushSecrets but not ClusterPushSecrets. This is an invalid configuration.",
        holds: (v) => !(get(v, "processPushSecret") === false && get(v, "processClusterPushSecret") !== false),
      },
      {
        says: "serviceAccountName is serviceAccount.name (with create): the name the Pod Identity association names",
        holds: (v) => get(v, "serviceAccount.create") !== false && get(v, "serviceAccount.name") === "external-secrets",
      },
    ],
  },
  {
    chart: "kube-prometheus-stack",
    version: "82.16.0",
    source: "prometheus-community/helm-charts@kube-prometheus-stack-82.16.0 charts/kube-prometheus-stack (+ grafana 11.3.6 from grafana-community/helm-charts)",
    rules: [
      { says: "crds.enabled installs the monitoring.coreos.com CRDs (dandihub's ServiceMonitors and PrometheusRule need them)", holds: (v) => get(v, "crds.enabled") !== false },
    ],
    pods: [
      {
        role: "grafana",
        // The grafana chart's pod labels; in grafana.namespaceOverride when set.
        labels: (release) => ({ "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": release }),
        ports: { grafana: 3000 },
        namespace: (v, ns) => get(v, "grafana.namespaceOverride") ?? ns,
        callsHub: (v) => JSON.stringify(v.grafana ?? {}).includes(":8081/hub/api"),
      },
      {
        role: "prometheus",
        // prometheus-operator labels the pods of a Prometheus with app.kubernetes.io/name: prometheus.
        labels: (release, v) => ({ "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/managed-by": "prometheus-operator", prometheus: `${get(v, "fullnameOverride") ?? release}-prometheus` }),
        ports: { "http-web": 9090 },
        // It scrapes /hub/metrics when a ServiceMonitor selects the hub (dandihub's monitoring manifests).
        callsHub: () => true,
      },
      { role: "alertmanager", labels: (release, v) => ({ "app.kubernetes.io/name": "alertmanager", alertmanager: `${get(v, "fullnameOverride") ?? release}-alertmanager` }), ports: { "http-web": 9093 } },
      { role: "kube-state-metrics", labels: (release) => ({ "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": release, "app.kubernetes.io/component": "metrics", release }), ports: { http: 8080 } },
      {
        role: "operator",
        labels: (release) => ({ app: "kube-prometheus-stack-operator", release, "app.kubernetes.io/name": "kube-prometheus-stack-prometheus-operator", "app.kubernetes.io/component": "prometheus-operator", "app.kubernetes.io/instance": release }),
        ports: { https: 10250 },
      },
      {
        role: "admission-jobs",
        labels: (release) => ({ app: "kube-prometheus-stack-admission-create", release, "app.kubernetes.io/component": "prometheus-operator-webhook", "app.kubernetes.io/instance": release }),
      },
    ],
  },
  {
    chart: "dcgm-exporter",
    version: "4.8.1",
    source: "NVIDIA/dcgm-exporter@4.5.2-4.8.1 deployment/templates",
    rules: [{ says: "'tlsServerConfig.cert'/'key' are required when 'tlsServerConfig.enabled=true'", holds: (v) => !get(v, "tlsServerConfig.enabled") || (has(v, "tlsServerConfig.cert") && has(v, "tlsServerConfig.key")) }],
    pods: [{ role: "exporter", labels: (release) => ({ "app.kubernetes.io/name": "dcgm-exporter", "app.kubernetes.io/instance": release, "app.kubernetes.io/component": "dcgm-exporter" }), ports: { metrics: 9400 } }],
  },
  {
    chart: "cost-analyzer",
    version: "2.8.7",
    source: "kubecost/kubecost@v2.8.7 cost-analyzer/templates/_helpers.tpl and the deployment template",
    rules: [
      { says: "an external Prometheus (global.prometheus.enabled false) is reached at global.prometheus.fqdn", holds: (v) => get(v, "global.prometheus.enabled") !== false || has(v, "global.prometheus.fqdn") },
      { says: "kubecostModel.federatedStorageConfigSecret and kubecostModel.federatedStorageConfig are mutually exclusive", holds: (v) => !(has(v, "kubecostModel.federatedStorageConfigSecret") && has(v, "kubecostModel.federatedStorageConfig")) },
      {
        says: "with federated storage, prometheus.server.global.external_labels.cluster_id must not be the default 'cluster-one'; the cost model's CLUSTER_ID comes from it either way",
        holds: (v) => has(v, "prometheus.server.global.external_labels.cluster_id") && get(v, "prometheus.server.global.external_labels.cluster_id") !== "cluster-one",
      },
      { says: "prometheus.server.retention must be set in days or hours (bundled Prometheus only)", holds: (v) => get(v, "prometheus.server.enabled") !== true || /^\d+[dh]$/.test(String(get(v, "prometheus.server.retention"))) },
    ],
    pods: [{ role: "cost-analyzer", labels: (release) => ({ "app.kubernetes.io/name": "cost-analyzer", "app.kubernetes.io/instance": release, app: "cost-analyzer" }), ports: { "tcp-model": 9003, "tcp-frontend": 9090 } }],
  },
  {
    chart: "dask-gateway",
    version: "2026.3.0",
    source: "dask/dask-gateway@2026.3.0 resources/helm/dask-gateway (values.yaml, templates/gateway/deployment.yaml)",
    rules: [
      {
        says: "auth type jupyterhub: the token is gateway.auth.jupyterhub.apiToken, or read from the Secret apiTokenFromSecretName (default `hub`, z2jh's) in the release's own namespace",
        holds: (v, ns) => get(v, "gateway.auth.type") !== "jupyterhub" || has(v, "gateway.auth.jupyterhub.apiToken") || ns === "jupyterhub",
      },
    ],
    pods: [
      {
        role: "gateway",
        // The chart labels the gateway pod hub.jupyter.org/network-access-hub: "true" itself.
        labels: (release) => ({ "app.kubernetes.io/name": "dask-gateway", "app.kubernetes.io/instance": release, "gateway.dask.org/instance": release, "app.kubernetes.io/component": "gateway", "hub.jupyter.org/network-access-hub": "true" }),
        ports: { api: 8000 },
        callsHub: (v) => get(v, "gateway.auth.type") === "jupyterhub",
      },
      { role: "controller", labels: (release) => ({ "app.kubernetes.io/name": "dask-gateway", "app.kubernetes.io/instance": release, "gateway.dask.org/instance": release, "app.kubernetes.io/component": "controller" }), ports: { api: 8000 } },
      { role: "proxy", labels: (release) => ({ "app.kubernetes.io/name": "dask-gateway", "app.kubernetes.io/instance": release, "gateway.dask.org/instance": release, "app.kubernetes.io/component": "traefik" }), ports: { web: 8000, traefik: 9000 } },
    ],
  },
  {
    chart: "tigera-operator",
    version: "v3.31.7",
    source: "projectcalico/calico@v3.31.7 charts/tigera-operator (values.yaml, templates/crs/custom-resources.yaml, templates/certs, crds/ incl. policy.networking.k8s.io AdminNetworkPolicy)",
    rules: [
      { says: "installation (minus `enabled`) is rendered as the Installation `default`'s spec: it must say EKS and the AmazonVPC CNI (policy only)", holds: (v) => get(v, "installation.enabled") === true && get(v, "installation.kubernetesProvider") === "EKS" && get(v, "installation.cni.type") === "AmazonVPC" },
      {
        says: "certs.node.* or certs.typha.* set means all of them are required ('must set certs.node.cert', ...)",
        holds: (v) => ["node", "typha"].every((k) => !has(v, `certs.${k}`) || ["cert", "key", "commonName"].every((f) => has(v, `certs.${k}.${f}`))),
      },
      { says: "manageCRDs: the operator installs its CRDs itself unless false (AdminNetworkPolicy comes from the chart's crds/)", holds: (v) => get(v, "manageCRDs") !== false },
    ],
  },
  {
    chart: "nvidia-device-plugin",
    version: "0.17.1",
    source: "NVIDIA/k8s-device-plugin@v0.17.1 deployments/helm/nvidia-device-plugin/templates/validation.yml",
    rules: [
      { says: "Setting an explicit 'namespace' in values.yaml is no longer supported", holds: (v) => !has(v, "namespace") },
      { says: "Running in the 'default' namespace is not recommended (allowDefaultNamespace)", holds: (v, ns) => ns !== "default" || get(v, "allowDefaultNamespace") === true },
      { says: "Only one of 'config.name' or 'config.map' should ever be set", holds: (v) => !(has(v, "config.name") && has(v, "config.map")) },
    ],
  },
];

/** Kubecost 2.9.x, not pinned, recorded for why: a bridge release for the 3.0 upgrade. */
export const KUBECOST_2_9: ChartContract = {
  chart: "cost-analyzer",
  version: "2.9.5",
  source: "kubecost/kubecost@v2.9.5 cost-analyzer/templates/_helpers.tpl (kubecost.clusterId, mustHaveGlobalFederatedStoreCheck)",
  rules: [
    { says: "clusterId is required. Please set .Values.global.clusterId", holds: (v) => has(v, "global.clusterId") },
    { says: "In kubecost 2.9, cluster_id is set in two places (global.clusterId must equal prometheus.server.global.external_labels.cluster_id)", holds: (v) => get(v, "global.clusterId") === get(v, "prometheus.server.global.external_labels.cluster_id") },
    { says: "Missing global federated-store (global.federatedStorage.existingSecret or .config)", holds: (v) => has(v, "global.federatedStorage.existingSecret") || has(v, "global.federatedStorage.config") },
  ],
};
