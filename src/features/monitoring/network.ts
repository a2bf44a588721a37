/** Connections the monitoring stack needs (rendered by features/isolation). */
import { HUB_NAMESPACE, MONITORING_NAMESPACE } from "../../core/names";
import { address, HTTPS, pods, type Flow, type PodSet } from "../../core/network";
import { HUB_API, HUB_PODS, PROXY_PODS } from "../hub/network";
import { GRAFANA_POD_LABELS, PROMETHEUS_POD_LABELS, STACK_NAME } from "./values";

const at = (name: string, labels: Record<string, string>, namespace = MONITORING_NAMESPACE): PodSet => ({ name, namespace, labels });

export const PROMETHEUS_PODS = at("prometheus", { ...PROMETHEUS_POD_LABELS });
export const GRAFANA_PODS = at("grafana", { ...GRAFANA_POD_LABELS, "app.kubernetes.io/instance": STACK_NAME }, HUB_NAMESPACE);
export const ALERTMANAGER_PODS = at("alertmanager", { "app.kubernetes.io/name": "alertmanager" });
export const OPERATOR_PODS = at("prometheus-operator", { app: "kube-prometheus-stack-operator" });
export const KUBE_STATE_METRICS_PODS = at("kube-state-metrics", { "app.kubernetes.io/name": "kube-state-metrics" });
/** The chart's webhook-certificate Jobs (admission-create, admission-patch). */
export const ADMISSION_JOB_PODS = at("prometheus-admission-jobs", { "app.kubernetes.io/component": "prometheus-operator-webhook", "app.kubernetes.io/instance": STACK_NAME });
export const KUBECOST_PODS = at("kubecost", { app: "cost-analyzer" });
export const EVENT_LOG_PODS = at("event-log-shipper", { "app.kubernetes.io/name": "dandihub-event-log" });
export const EXPORTER_PODS = at("exporter", { "app.kubernetes.io/name": "dandihub-exporter" }, HUB_NAMESPACE);

export const DCGM_PODS = at("dcgm-exporter", { "app.kubernetes.io/name": "dcgm-exporter" });

export interface MonitoringNetworkInput {
  /** @default false */
  readonly kubecost?: boolean;
  /** GPU metrics (dcgm-exporter) run. @default false */
  readonly gpu?: boolean;
}

export function monitoringFlows(input: MonitoringNetworkInput): Flow[] {
  const prometheus = pods(PROMETHEUS_PODS);
  const flows: Flow[] = [
    // Nodes (kubelet, node-exporter) and kube-system targets are addresses in the private subnets.
    { from: prometheus, to: address("nodes"), why: "Prometheus scrapes nodes, kubelets and kube-system targets" },
    { from: prometheus, to: address("apiServer"), why: "Prometheus discovers targets and scrapes the API server" },
    { from: prometheus, to: pods(HUB_PODS), ports: HUB_API, why: "Prometheus reads /hub/metrics" },
    { from: prometheus, to: prometheus, ports: [{ port: 9090 }, { port: 8080 }], why: "Prometheus scrapes itself and its config reloader" },
    { from: prometheus, to: pods(ALERTMANAGER_PODS), ports: [{ port: 9093 }, { port: 8080 }], why: "Prometheus sends alerts and scrapes Alertmanager" },
    { from: prometheus, to: pods(OPERATOR_PODS), ports: [{ port: 10250 }], why: "Prometheus scrapes the operator" },
    { from: prometheus, to: pods(KUBE_STATE_METRICS_PODS), ports: [{ port: 8080 }], why: "Prometheus scrapes kube-state-metrics" },
    { from: prometheus, to: pods(GRAFANA_PODS), ports: [{ port: 3000 }], why: "Prometheus scrapes Grafana" },
    { from: prometheus, to: pods(EXPORTER_PODS), ports: [{ port: 9090 }], why: "Prometheus scrapes dandihub's exporter (groups, storage, costs)" },
    { from: pods(PROXY_PODS), to: pods(GRAFANA_PODS), ports: [{ port: 3000 }], why: "users open Grafana at /services/grafana/" },
    { from: pods(GRAFANA_PODS), to: prometheus, ports: [{ port: 9090 }], why: "Grafana queries Prometheus" },
    { from: pods(HUB_PODS), to: prometheus, ports: [{ port: 9090 }], why: "the hub reads groups' spend at spawn (enforced budgets)" },
    { from: pods(GRAFANA_PODS), to: pods(HUB_PODS), ports: HUB_API, why: "Grafana signs users in through the hub" },
    { from: pods(GRAFANA_PODS), to: address("apiServer"), why: "Grafana's sidecar loads dashboards from ConfigMaps" },
    { from: pods(ALERTMANAGER_PODS), to: address("internet"), ports: HTTPS, why: "Alertmanager publishes to SNS" },
    { from: pods(ALERTMANAGER_PODS), to: address("podIdentity"), why: "Alertmanager's AWS role (SNS)" },
    { from: pods(OPERATOR_PODS), to: address("apiServer"), why: "the Prometheus operator manages its resources" },
    { from: address("nodes"), to: pods(OPERATOR_PODS), ports: [{ port: 10250 }], why: "the API server calls the operator's admission webhook" },
    { from: pods(ADMISSION_JOB_PODS), to: address("apiServer"), why: "the chart's jobs write the webhook certificate" },
    { from: pods(KUBE_STATE_METRICS_PODS), to: address("apiServer"), why: "kube-state-metrics reads the cluster's objects" },
    { from: pods(EVENT_LOG_PODS), to: address("internet"), ports: HTTPS, why: "the event log goes to CloudWatch Logs" },
    { from: pods(EVENT_LOG_PODS), to: address("podIdentity"), why: "the shipper's AWS role (CloudWatch Logs)" },
    { from: pods(EXPORTER_PODS), to: pods(HUB_PODS), ports: HUB_API, why: "the exporter reads group memberships from the hub" },
  ];
  if (input.gpu) flows.push({ from: prometheus, to: pods(DCGM_PODS), ports: [{ port: 9400 }], why: "Prometheus scrapes GPU metrics" });
  if (input.kubecost) {
    flows.push(
      { from: prometheus, to: pods(KUBECOST_PODS), ports: [{ port: 9003 }], why: "Prometheus scrapes Kubecost's cost model" },
      { from: pods(KUBECOST_PODS), to: prometheus, ports: [{ port: 9090 }], why: "Kubecost reads metrics from Prometheus" },
      { from: pods(KUBECOST_PODS), to: address("apiServer"), why: "Kubecost reads the cluster's objects" },
      { from: pods(KUBECOST_PODS), to: address("internet"), ports: HTTPS, why: "Kubecost reads AWS list and spot prices" },
    );
  }
  return flows;
}
