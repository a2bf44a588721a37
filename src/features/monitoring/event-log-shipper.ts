/** The hub event log's shipper: Fluent Bit picks the hub's `dandihub-event` lines and sends them to CloudWatch Logs. */
import { CORE_NODE_LABELS } from "../../core/labels";
import { HUB_NAMESPACE } from "../../core/names";

export const FLUENT_BIT_IMAGE = "cr.fluentbit.io/fluent/fluent-bit:4.0.9";
export const SHIPPER = "dandihub-event-log";

export function eventLogGroupName(name: string): string {
  return `/dandihub/${name}/hub-events`;
}

/** Fluent Bit: the hub container's `dandihub-event` lines to CloudWatch Logs, nothing else. */
export function fluentBitConfig(name: string, region: string): string {
  return [
    "[SERVICE]",
    "    Flush             5",
    "    Log_Level         info",
    "    HTTP_Server       On",
    "    HTTP_Listen       0.0.0.0",
    "    HTTP_Port         2020",
    "[INPUT]",
    "    Name              tail",
    "    Tag               hub",
    // Container log files are <pod>_<namespace>_<container>-<id>.log.
    `    Path              /var/log/containers/hub-*_${HUB_NAMESPACE}_hub-*.log`,
    "    multiline.parser  cri",
    "    DB                /var/fluent-bit/state/hub-events.db",
    "    Mem_Buf_Limit     5MB",
    "    Refresh_Interval  10",
    "[FILTER]",
    "    Name              grep",
    "    Match             hub",
    "    Regex             log dandihub-event",
    "[OUTPUT]",
    "    Name              cloudwatch_logs",
    "    Match             hub",
    `    region            ${region}`,
    `    log_group_name    ${eventLogGroupName(name)}`,
    "    log_stream_prefix hub-",
    "    auto_create_group Off",
    "    log_key           log",
    "",
  ].join("\n");
}

export function shipperManifests(name: string, region: string): object[] {
  const labels = { "app.kubernetes.io/name": SHIPPER, "app.kubernetes.io/part-of": "dandihub" };
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: SHIPPER }, automountServiceAccountToken: false },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: SHIPPER }, data: { "fluent-bit.conf": fluentBitConfig(name, region) } },
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: SHIPPER, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: SHIPPER,
            automountServiceAccountToken: false,
            // The hub runs on core nodes only.
            nodeSelector: { ...CORE_NODE_LABELS },
            containers: [
              {
                name: "fluent-bit",
                image: FLUENT_BIT_IMAGE,
                args: ["--config=/fluent-bit/etc/conf/fluent-bit.conf"],
                ports: [{ name: "http", containerPort: 2020 }],
                livenessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 30 },
                resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                volumeMounts: [
                  { name: "config", mountPath: "/fluent-bit/etc/conf", readOnly: true },
                  { name: "logs", mountPath: "/var/log", readOnly: true },
                  { name: "state", mountPath: "/var/fluent-bit/state" },
                ],
              },
            ],
            volumes: [
              { name: "config", configMap: { name: SHIPPER } },
              { name: "logs", hostPath: { path: "/var/log" } },
              { name: "state", hostPath: { path: "/var/fluent-bit/state", type: "DirectoryOrCreate" } },
            ],
          },
        },
      },
    },
  ];
}

