/** Monitoring in the synthesized output: scrape configs, allow-lists, retention, dashboards, alerts, logs. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GROUP_COST_RECORD } from "../src/features/monitoring/alerts";
import { exportedMetrics, TARGET_LABELS } from "../src/features/monitoring/metrics";
import { PROMETHEUS_URL } from "../src/features/monitoring/values";
import { minimalYaml, problemsOf, releaseValues, ROOT, synth, VARIANTS, type TfJson } from "./helpers";
import { promqlRefs } from "./promql";
import { activeSeries, prometheusVolumeGiB } from "../src/features/monitoring/sizing";

type Rec = Record<string, any>;
const dandi = () => synth("config/dandi.yaml");
const stack = (tf: TfJson) => releaseValues(tf, "monitoring_stack_release") as Rec;
const manifests = (tf: TfJson) => (releaseValues(tf, "monitoring_dandihub_release") as { manifests: Rec[] }).manifests;
const hub = (tf: TfJson) => releaseValues(tf, "jupyterhub_chart_release") as Rec;
const kind = (tf: TfJson, k: string) => manifests(tf).filter((m) => m.kind === k);

/** Fails on any metric or label the deployment does not export. */
function expectExported(expr: string, metrics: Record<string, { labels: readonly string[] }>): void {
  const refs = promqlRefs(expr);
  expect(refs.metrics.length, expr).toBeGreaterThan(0);
  const allowed = new Set([...TARGET_LABELS, ...refs.created]);
  for (const m of refs.metrics) {
    expect(Object.keys(metrics), `${m} in ${expr}`).toContain(m);
    for (const l of metrics[m].labels) allowed.add(l);
  }
  for (const l of refs.labels) expect([...allowed], `label ${l} in ${expr}`).toContain(l);
}

describe("Prometheus", () => {
  it("keeps the configured retention on a retained volume, and stops before it fills", () => {
    const spec = stack(dandi().tf).prometheus.prometheusSpec;
    expect(spec.retention).toBe("400d");
    expect(spec.retentionSize).toBe("13GB");
    expect(spec.storageSpec.volumeClaimTemplate.spec).toMatchObject({ storageClassName: "gp3-retain", resources: { requests: { storage: "15Gi" } } });
    // Monitors and rules from every namespace, ours included.
    for (const k of ["serviceMonitorSelectorNilUsesHelmValues", "podMonitorSelectorNilUsesHelmValues", "ruleSelectorNilUsesHelmValues"]) expect(spec[k]).toBe(false);
    const short = synth(minimalYaml() + "monitoring:\n  retention: 62d\n  storageSize: 20Gi\n", { name: "shortmon" });
    expect(stack(short.tf).prometheus.prometheusSpec).toMatchObject({ retention: "62d", retentionSize: "18GB" });
  });

  it("kube-state-metrics exports the username, group and profile pod labels, the username annotation and node pool labels", () => {
    const ksm = stack(dandi().tf)["kube-state-metrics"];
    expect(ksm.metricLabelsAllowlist).toContain("pods=[hub.jupyter.org/username,dandihub.org/group,dandihub.org/profile,component]");
    expect(ksm.metricLabelsAllowlist.find((x: string) => x.startsWith("nodes="))).toMatch(/karpenter\.sh\/nodepool.*karpenter\.sh\/capacity-type.*node\.kubernetes\.io\/instance-type.*dandihub\.org\/group/);
    expect(ksm.metricAnnotationsAllowList).toEqual(["pods=[hub.jupyter.org/username]"]);
    expect(stack(dandi().tf)["prometheus-node-exporter"].tolerations).toEqual([{ operator: "Exists" }]);
  });

  it("scrapes /hub/metrics with a service token the hub grants read:metrics, through the hub's network policy", () => {
    const { tf } = dandi();
    const monitor = kind(tf, "ServiceMonitor").find((m) => m.metadata.name === "hub")!;
    expect(monitor.metadata.namespace).toBe("jupyterhub");
    expect(monitor.spec.selector.matchLabels).toEqual({ app: "jupyterhub", component: "hub" });
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: "hub", path: "/hub/metrics", authorization: { type: "Bearer", credentials: { name: "hub", key: "hub.services.prometheus.apiToken" } } });
    const h = hub(tf).hub;
    expect(h.services.prometheus).toEqual({ display: false });
    expect(h.loadRoles["dandihub-metrics"]).toMatchObject({ scopes: ["read:metrics"], services: ["prometheus"] });
    const from = h.networkPolicy.ingress[0].from;
    expect(from).toContainEqual({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } });
    expect(kind(tf, "ServiceMonitor").map((m) => m.metadata.name).sort()).toEqual(["dandihub-exporter", "hub", "karpenter"]);
  });

  it("the exporter measures every group volume read-only, with each quota in bytes, and reads group membership", () => {
    const { tf, config } = dandi();
    const cm = kind(tf, "ConfigMap").find((m) => m.metadata.name === "dandihub-exporter")!;
    const cfg = JSON.parse(cm.data["config.json"]);
    const dandiVol = cfg.volumes.find((v: Rec) => v.volume === "dandi");
    expect(dandiVol).toMatchObject({ homeQuotaBytes: 50 * 2 ** 30, sharedQuotaBytes: 2 ** 40, overrides: { satra: 200 * 2 ** 30 }, exclude: ["_reports"] });
    expect(cfg.volumes.map((v: Rec) => v.volume)).toEqual([...config.groups.map((g) => g.key), "common"]);
    expect(cfg.prices.find((p: Rec) => p.instanceType === "m6i.xlarge" && p.capacityType === "spot").usd).toBeCloseTo(0.192 * 0.4, 6);
    const pod = kind(tf, "Deployment").find((m) => m.metadata.name === "dandihub-exporter")!.spec.template;
    expect(pod.metadata.labels["hub.jupyter.org/network-access-hub"]).toBe("true");
    const claims = pod.spec.volumes.filter((v: Rec) => v.persistentVolumeClaim).map((v: Rec) => v.persistentVolumeClaim);
    expect(claims.every((c: Rec) => c.readOnly)).toBe(true);
    expect(claims.map((c: Rec) => c.claimName).sort()).toEqual([...config.groups.map((g) => `home-${g.key}`), "shared-common"].sort());
    expect(pod.spec.containers[0].volumeMounts.filter((m: Rec) => m.name.startsWith("volume-")).every((m: Rec) => m.readOnly)).toBe(true);
    expect(hub(tf).hub.loadRoles["dandihub-exporter"]).toMatchObject({ scopes: ["list:groups", "read:groups"], services: ["dandihub-exporter"] });
  });

  it("GPU metrics (DCGM) only with GPU profiles, on GPU nodes", () => {
    const dcgm = releaseValues(dandi().tf, "monitoring_dcgm_release") as Rec;
    expect(dcgm.serviceMonitor).toMatchObject({ enabled: true, honorLabels: true });
    expect(dcgm.nodeSelector).toEqual({ "karpenter.k8s.aws/instance-gpu-manufacturer": "nvidia" });
    expect(synth("config/minimal.yaml").tf.resource.helm_release.monitoring_dcgm_release).toBeUndefined();
  });
});

describe("dashboards", () => {
  const maps = (tf: TfJson) => kind(tf, "ConfigMap").filter((m) => m.metadata.labels?.grafana_dashboard === "1");

  it("five dashboards, provisioned for Grafana's sidecar, each valid JSON with unique panel ids on a 24-column grid", () => {
    const cms = maps(dandi().tf);
    expect(cms.map((c) => c.metadata.name).sort()).toEqual(["dashboard-dandihub-activity", "dashboard-dandihub-cluster", "dashboard-dandihub-cost", "dashboard-dandihub-storage", "dashboard-dandihub-usage"]);
    for (const cm of cms) {
      expect(cm.metadata.namespace).toBe("jupyterhub");
      const [file, text] = Object.entries(cm.data as Record<string, string>)[0];
      const d = JSON.parse(text);
      expect(file).toBe(`${d.uid}.json`);
      const ids = d.panels.map((p: Rec) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of d.panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        expect(p.datasource).toEqual({ type: "prometheus", uid: "prometheus" });
        expect(p.targets.length).toBeGreaterThan(0);
        expect(p.description.length).toBeGreaterThan(10);
      }
    }
  });

  it("every query names only metrics and labels this deployment exports, in every variant", () => {
    for (const variant of Object.keys(VARIANTS)) {
      const { tf, config } = VARIANTS[variant]();
      if (!config.monitoring.enabled) continue;
      const metrics = exportedMetrics(config);
      for (const cm of maps(tf)) {
        const d = JSON.parse(Object.values(cm.data as Record<string, string>)[0]);
        const queries = [...d.panels.flatMap((p: Rec) => p.targets.map((t: Rec) => t.expr)), ...d.templating.list.map((v: Rec) => v.definition)];
        for (const q of queries) expectExported(q, metrics);
      }
    }
  });

  it("the checker itself refuses a metric or label nobody exports", () => {
    const metrics = exportedMetrics(dandi().config);
    expect(() => expectExported('sum(jupyterhub_no_such_metric{period="7d"})', metrics)).toThrow();
    expect(() => expectExported('sum by (label_no_such) (kube_pod_labels)', metrics)).toThrow();
    expect(() => expectExported('DCGM_FI_DEV_GPU_UTIL', exportedMetrics(synth("config/minimal.yaml").config))).toThrow();
  });

  it("a gauge per group with a budget: this month's node spend so far against it, coloured at its warning points", () => {
    const cost = JSON.parse(Object.values(maps(dandi().tf).find((m) => m.metadata.name === "dashboard-dandihub-cost")!.data as Record<string, string>)[0]);
    const gauges = cost.panels.filter((p: Rec) => p.type === "gauge");
    const budgeted = dandi().config.groups.filter((g) => g.budget);
    expect(gauges.map((p: Rec) => p.title)).toEqual(budgeted.map((g) => `${g.key}: node spend this month, of $${g.budget!.monthlyUsd.toLocaleString("en-US")}`));
    const dandiGauge = gauges.find((p: Rec) => p.title.startsWith("dandi:"));
    // "This month so far": Grafana's relative time now/M; the range is the subquery's.
    expect(dandiGauge.timeFrom).toBe("now/M");
    expect(dandiGauge.targets[0]).toMatchObject({ expr: 'sum(sum_over_time(dandihub:group_hourly_cost_usd:estimate{label_dandihub_org_group="dandi"}[$__range:1h]))', instant: true });
    expect(dandiGauge.fieldConfig.defaults).toMatchObject({
      unit: "currencyUSD",
      min: 0,
      max: 3000,
      thresholds: { mode: "absolute", steps: [{ color: "green", value: null }, { color: "yellow", value: 2400 }, { color: "yellow", value: 2700 }, { color: "red", value: 3000 }] },
    });
    // Groups without a budget get none.
    expect(gauges.some((p: Rec) => p.title.startsWith("bican:"))).toBe(false);
  });

  it("GPU and Kubecost panels appear only where those are installed", () => {
    const panelTitles = (tf: TfJson) => maps(tf).flatMap((cm) => JSON.parse(Object.values(cm.data as Record<string, string>)[0]).panels.map((p: Rec) => p.title));
    expect(panelTitles(dandi().tf)).toEqual(expect.arrayContaining(["GPU utilisation, by group", "Kubecost: node cost per hour, by group"]));
    const minimal = panelTitles(synth("config/minimal.yaml").tf);
    expect(minimal).not.toContain("GPU utilisation, by group");
    expect(minimal).not.toContain("Kubecost: node cost per hour, by group");
  });
});

describe("alerts", () => {
  const rules = (tf: TfJson) => kind(tf, "PrometheusRule")[0].spec.groups.flatMap((g: Rec) => g.rules) as Rec[];

  it("quota, volume, spawn failures, hub down, Prometheus disk, exporter staleness and each group's budget", () => {
    const alerts = rules(dandi().tf).filter((r) => r.alert);
    const names = alerts.map((r) => r.alert);
    for (const n of ["DandihubDirectoryNearQuota", "DandihubVolumeAtCap", "DandihubVolumeFull", "DandihubSpawnFailures", "DandihubHubDown", "DandihubPrometheusDiskFilling", "DandihubExporterStale"]) expect(names).toContain(n);
    expect(alerts.find((r) => r.alert === "DandihubDirectoryNearQuota")!.expr).toContain("> 0.9");
    const budgets = alerts.filter((r) => r.alert === "DandihubGroupNearBudget");
    expect(budgets.map((r) => r.expr)).toEqual([expect.stringContaining('label_dandihub_org_group="dandi"}[30d:1h])) > 2700'), expect.stringContaining('label_dandihub_org_group="linc"}[30d:1h])) > 900')]);
    expect(rules(dandi().tf).find((r) => r.record)!.record).toBe(GROUP_COST_RECORD);
  });

  it("every rule names only exported metrics and labels", () => {
    for (const variant of ["dandi", "minimal", "dev-dummy-cloud"]) {
      const { tf, config } = VARIANTS[variant]();
      for (const r of rules(tf)) expectExported(r.expr, exportedMetrics(config));
    }
  });

  it("alerts e-mail through an SNS topic Alertmanager may publish to, and nowhere without addresses", () => {
    const { tf } = dandi();
    const topic = (tf.resource.aws_sns_topic as Rec)["monitoring_alerts"];
    expect(topic).toMatchObject({ name: "dandi-alerts", kms_master_key_id: "alias/aws/sns" });
    expect(Object.values(tf.resource.aws_sns_topic_subscription as Rec).map((s: Rec) => [s.protocol, s.endpoint])).toEqual([["email", "help@dandiarchive.org"]]);
    const am = stack(tf).alertmanager;
    expect(am.config.route.receiver).toBe("sns");
    expect(am.config.receivers[1].sns_configs[0]).toMatchObject({ topic_arn: "${aws_sns_topic.monitoring_alerts.arn}", sigv4: { region: "us-east-2" } });
    const role = tf.module["monitoring_alertmanager-role"] as Rec;
    expect(role.policy_statements).toEqual([{ sid: "PublishAlerts", actions: ["sns:Publish"], resources: ["${aws_sns_topic.monitoring_alerts.arn}"] }]);
    expect(role.associations.alertmanager).toMatchObject({ namespace: "monitoring", service_account: am.serviceAccount.name });
    const quiet = synth("config/minimal.yaml").tf;
    expect(quiet.resource.aws_sns_topic).toBeUndefined();
    expect(stack(quiet).alertmanager.config.route.receiver).toBe("null");
  });
});

describe("Grafana", () => {
  it("sits beside the hub and signs in through it: hub admins as Admin, group admins as Viewer, nobody else", () => {
    const { tf } = dandi();
    const g = stack(tf).grafana;
    expect(g.namespaceOverride).toBe("jupyterhub");
    const oauth = g["grafana.ini"]["auth.generic_oauth"];
    expect(oauth).toMatchObject({
      client_id: "service-grafana",
      auth_url: "https://hub.dandiarchive.org/hub/api/oauth2/authorize",
      token_url: "http://hub.jupyterhub.svc:8081/hub/api/oauth2/token",
      api_url: "http://hub.jupyterhub.svc:8081/hub/api/user",
      role_attribute_strict: true,
    });
    expect(oauth.role_attribute_path).toBe("contains(['satra', 'yarikoptic'], name) && 'Admin'");
    expect(g["grafana.ini"].auth.disable_login_form).toBe(true);
    expect(g["grafana.ini"].server.root_url).toBe("https://hub.dandiarchive.org/services/grafana/");
    expect(g.envValueFrom.GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET.secretKeyRef).toEqual({ name: "hub", key: "hub.services.grafana.apiToken" });
    const h = hub(tf).hub;
    expect(h.services.grafana).toMatchObject({ url: "http://grafana.jupyterhub.svc", oauth_redirect_uri: "https://hub.dandiarchive.org/services/grafana/login/generic_oauth" });
    expect(h.loadRoles["dandihub-grafana-users"]).toMatchObject({ scopes: ["access:services!service=grafana"], users: ["satra", "yarikoptic"] });
  });

  it("viewers from config and group admins who are not hub admins view only", () => {
    const yaml = minimalYaml({ auth: "auth:\n  admins: [root]\n  github:\n    clientId: Ov23liTestExample\n    clientSecret:\n      variable: github_client_secret\n    organizations: [example]" })
      .replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    admins: [pi]") + "monitoring:\n  grafanaViewers: [auditor]\n";
    const { tf } = synth(yaml, { name: "viewers" });
    expect(stack(tf).grafana["grafana.ini"]["auth.generic_oauth"].role_attribute_path).toBe("contains(['root'], name) && 'Admin' || contains(['auditor', 'pi'], name) && 'Viewer'");
    expect(hub(tf).hub.loadRoles["dandihub-grafana-users"].users).toEqual(["root", "auditor", "pi"]);
  });
});

describe("access log", () => {
  it("hub events go to a CloudWatch log group with the configured retention, shipped from the hub's log only", () => {
    const { tf } = dandi();
    const group = (tf.resource.aws_cloudwatch_log_group as Rec)["event-log_hub-events"];
    expect(group).toMatchObject({ name: "/dandihub/dandi/hub-events", retention_in_days: 365 });
    const shipper = (releaseValues(tf, "event-log_shipper_release") as { manifests: Rec[] }).manifests;
    const conf = shipper.find((m) => m.kind === "ConfigMap")!.data["fluent-bit.conf"] as string;
    expect(conf).toContain("Path              /var/log/containers/hub-*_jupyterhub_hub-*.log");
    expect(conf).toContain("Regex             log dandihub-event");
    expect(conf).toContain("log_group_name    /dandihub/dandi/hub-events");
    expect(conf).toContain("auto_create_group Off");
    const role = tf.module["event-log_shipper-role"] as Rec;
    expect(role.policy_statements).toEqual([
      { sid: "WriteHubEvents", actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], resources: ["${aws_cloudwatch_log_group.event-log_hub-events.arn}", "${aws_cloudwatch_log_group.event-log_hub-events.arn}:*"] },
    ]);
    const ds = shipper.find((m) => m.kind === "DaemonSet")!.spec.template.spec;
    expect(ds.volumes.find((v: Rec) => v.name === "logs").hostPath.path).toBe("/var/log");
    expect(ds.containers[0].volumeMounts.find((m: Rec) => m.name === "logs").readOnly).toBe(true);
  });

  it("load balancer access logs go to S3 where the NLB terminates TLS (ACM), expiring with the log retention", () => {
    const { tf } = VARIANTS["acm-admins-3az"]();
    const attrs = hub(tf).proxy.service.annotations["service.beta.kubernetes.io/aws-load-balancer-attributes"];
    expect(attrs).toBe("load_balancing.cross_zone.enabled=true,access_logs.s3.enabled=true,access_logs.s3.bucket=${aws_s3_bucket.event-log_access-logs_bucket.bucket},access_logs.s3.prefix=nlb");
    const enc = (tf.resource.aws_s3_bucket_server_side_encryption_configuration as Rec)["event-log_access-logs_encryption"];
    expect(enc.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("AES256");
    const policy = (tf.resource.aws_s3_bucket_policy as Rec)["event-log_access-logs_policy"].policy as string;
    expect(policy).toContain("delivery.logs.amazonaws.com");
    expect(policy).toContain("/nlb/AWSLogs/");
    expect((tf.resource.aws_s3_bucket as Rec)["event-log_access-logs_bucket"].lifecycle.prevent_destroy).toBe(true);
    // Let's Encrypt passes TLS through: no NLB log to keep.
    expect((dandi().tf.resource.aws_s3_bucket as Rec)["event-log_access-logs_bucket"]).toBeUndefined();
  });
});

describe("Kubecost and switching things off", () => {
  it("Kubecost uses the cluster's Prometheus, allocates by group and user, and needs monitoring", () => {
    const kc = releaseValues(dandi().tf, "monitoring_kubecost_release") as Rec;
    expect(kc.global.prometheus).toEqual({ enabled: false, fqdn: PROMETHEUS_URL });
    expect(kc.kubecostProductConfigs.labelMappingConfigs).toMatchObject({ enabled: true, team_label: "dandihub_org_group", owner_label: "hub_jupyter_org_username" });
    expect(problemsOf(minimalYaml() + "monitoring:\n  enabled: false\ncost:\n  kubecost: true\n").format()).toContain("cost.kubecost = true: Kubecost runs on the cluster's Prometheus");
  });

  it("monitoring off: no stack, no exporter, no Grafana service or roles, no event log", () => {
    const { tf } = synth(minimalYaml() + "monitoring:\n  enabled: false\n", { name: "nomon" });
    const releases = Object.keys(tf.resource.helm_release);
    expect(releases.filter((r) => r.startsWith("monitoring_") || r.startsWith("event-log_"))).toEqual([]);
    const h = hub(tf).hub;
    expect(Object.keys(h.services)).not.toContain("grafana");
    expect(Object.keys(h.loadRoles)).not.toContain("dandihub-metrics");
    expect(tf.resource.aws_cloudwatch_log_group).toBeUndefined();
  });
});

describe("help/monitoring.md", () => {
  it("describes every dashboard and alert", () => {
    const doc = readFileSync(join(ROOT, "help/monitoring.md"), "utf8");
    for (const d of ["activity", "usage by user and group", "storage", "cost", "cluster"]) expect(doc).toContain(`dandihub: ${d}`);
    for (const a of ["DandihubDirectoryNearQuota", "DandihubVolumeFilling", "DandihubSpawnFailures", "DandihubHubDown", "DandihubPrometheusDiskFilling", "DandihubExporterStale", "DandihubGroupNearBudget"]) expect(doc).toContain(a);
  });
});

describe("Prometheus volume sized to what it keeps", () => {
  const input = { retentionDays: 400, averageServers: 3, members: 100, groupCount: 5, nodes: 8, profiles: [], cost: { kubecost: true } };

  it("from the allow-listed series: more retention, users or groups need more; never below 10Gi", () => {
    const base = activeSeries(input);
    expect(base).toBeGreaterThan(3000);
    expect(base).toBeLessThan(20000);
    expect(activeSeries({ ...input, averageServers: 50 })).toBeGreaterThan(base + 50 * 10);
    expect(activeSeries({ ...input, members: 1000 })).toBeGreaterThan(base + 1800);
    expect(prometheusVolumeGiB({ ...input, retentionDays: 30 })).toBe(10);
    expect(prometheusVolumeGiB(input)).toBeGreaterThan(prometheusVolumeGiB({ ...input, retentionDays: 200 }));
    // samples x 2 bytes x 1.3, plus the WAL, in steps of 5
    const gib = (base * 1440 * 400 * 2 * 1.3) / 2 ** 30 + 2;
    expect(prometheusVolumeGiB(input)).toBe(Math.ceil(gib / 5) * 5);
  });

  it("config/dandi.yaml gets the computed size in its claim and retention limit; a size in the file wins", () => {
    const values = releaseValues(dandi().tf, "monitoring_stack_release") as Rec;
    const spec = values.prometheus.prometheusSpec;
    expect(dandi().config.monitoring.storageGiB).toBe(15);
    expect(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("15Gi");
    expect(spec.retentionSize).toBe("13GB");
    const fixed = synth(minimalYaml() + "monitoring:\n  storageSize: 40Gi\n", { name: "fixed-prometheus" });
    expect(fixed.config.monitoring.storageGiB).toBe(40);
  });
});
