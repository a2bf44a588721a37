/**
 * What monitoring adds to the hub: Prometheus, the exporter and Grafana as hub services (their
 * tokens; Grafana signs users in through the hub), their roles, and their access to the hub API.
 */
import type { HubContribution } from "../../core/hub-contribution";
import { MONITORING_NAMESPACE } from "../../core/names";
import { EXPORTER_SERVICE, GRAFANA_POD_LABELS, GRAFANA_SERVICE, GRAFANA_URL, grafanaUsers, PROMETHEUS_POD_LABELS, PROMETHEUS_SERVICE, type GrafanaAudience } from "./values";

export function monitoringHubContribution(hubUrl: string, audience: GrafanaAudience): HubContribution {
  const { admins, viewers } = grafanaUsers(audience);
  return {
    services: {
      [PROMETHEUS_SERVICE]: { display: false },
      [EXPORTER_SERVICE]: { display: false },
      [GRAFANA_SERVICE]: { display: false, url: GRAFANA_URL, oauth_no_confirm: true, oauth_redirect_uri: `${hubUrl}/services/${GRAFANA_SERVICE}/login/generic_oauth` },
    },
    roles: {
      "dandihub-metrics": { description: "Prometheus reads /hub/metrics", scopes: ["read:metrics"], services: [PROMETHEUS_SERVICE] },
      "dandihub-exporter": { description: "The exporter reads who is in which group", scopes: ["list:groups", "read:groups"], services: [EXPORTER_SERVICE] },
      "dandihub-grafana-users": {
        description: "May sign in to Grafana (hub admins as Grafana admins, the rest as viewers)",
        scopes: [`access:services!service=${GRAFANA_SERVICE}`],
        users: [...admins, ...viewers],
      },
    },
    apiClients: [
      { name: PROMETHEUS_SERVICE, namespace: MONITORING_NAMESPACE, podLabels: PROMETHEUS_POD_LABELS },
      { name: GRAFANA_SERVICE, podLabels: GRAFANA_POD_LABELS },
    ],
  };
}
