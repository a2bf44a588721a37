/** Services for hub users: Dask Gateway behind the hub, and charts published as hub services. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hubSettings, minimalYaml, problemsOf, releaseValues, ROOT, synth, VARIANTS } from "./helpers";
import { python } from "./hub-python";

type Rec = Record<string, any>;
const dandi = () => synth("config/dandi.yaml");
const hub = (tf: Rec) => releaseValues(tf as never, "jupyterhub_chart_release") as Rec;

/** Runs the gateway's synthesized extraConfig in Python with stand-ins; returns what the form offers a user. */
function gatewayForm(extraConfig: Record<string, string>, userGroups: string[], choose?: Rec): Rec {
  const dir = mkdtempSync(join(tmpdir(), "dandihub-dask-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ blocks: Object.keys(extraConfig).sort().map((k) => extraConfig[k]), groups: userGroups, choose: choose ?? null }));
  const program = `
import json, sys, types
spec = json.load(open(sys.argv[1]))
class Opt:
    def __init__(self, kind, name, default, **kw): self.kind, self.name, self.default, self.kw = kind, name, default, kw
class Options:
    def __init__(self, *fields, handler): self.fields, self.handler = fields, handler
mod = types.ModuleType("dask_gateway_server.options")
mod.Options = Options
mod.Select = lambda name, choices, default, label: Opt("select", name, default, choices=choices)
mod.Float = lambda name, default, min, max, label: Opt("float", name, default, min=min, max=max)
sys.modules["dask_gateway_server"] = types.ModuleType("dask_gateway_server")
sys.modules["dask_gateway_server.options"] = mod
c = types.SimpleNamespace(Backend=types.SimpleNamespace())
scope = {"c": c}
for block in spec["blocks"]:
    exec(block, scope)
user = types.SimpleNamespace(name="u", groups=spec["groups"])
try:
    form = c.Backend.cluster_options(user)
except Exception as e:
    print(json.dumps({"error": type(e).__name__})); sys.exit(0)
out = {"fields": [[f.name, f.default, f.kw] for f in form.fields]}
if spec["choose"]:
    try:
        out["config"] = form.handler(types.SimpleNamespace(**spec["choose"]), user)
    except Exception as e:
        out["config"] = {"error": type(e).__name__}
print(json.dumps(out))
`;
  const r = python(["-c", program, file], ROOT);
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Rec;
}

describe("Dask Gateway", () => {
  const values = () => releaseValues(dandi().tf, "services_dask-gateway_release") as Rec;

  it("sits in the hub's namespace, authenticates through the hub, is reached under /services/dask-gateway", () => {
    const v = values();
    expect(v.gateway.prefix).toBe("/services/dask-gateway");
    expect(v.gateway.auth).toEqual({ type: "jupyterhub", jupyterhub: { apiUrl: "http://hub.jupyterhub.svc:8081/hub/api" } });
    expect(v.traefik.service.type).toBe("ClusterIP");
    const h = hub(dandi().tf).hub;
    expect(h.services["dask-gateway"]).toEqual({ display: false, url: "http://traefik-dask-gateway.jupyterhub.svc" });
    expect(h.loadRoles["dandihub-dask-users"]).toMatchObject({ scopes: ["access:services!service=dask-gateway"], groups: ["dandi", "linc"] });
    expect(h.loadRoles["dandihub-dask-gateway"]).toMatchObject({ scopes: ["read:users:name", "read:users:groups"], services: ["dask-gateway"] });
  });

  it("granted groups' servers find the gateway; others do not", () => {
    const settings = hubSettings(hub(dandi().tf));
    expect(settings.groups.dandi.env).toMatchObject({ DASK_GATEWAY__ADDRESS: "http://traefik-dask-gateway.jupyterhub.svc/services/dask-gateway", DASK_GATEWAY__AUTH__TYPE: "jupyterhub" });
    expect(settings.groups.workshop.env.DASK_GATEWAY__ADDRESS).toBeUndefined();
  });

  it("the synthesized gateway config, run in Python: a form of the user's granted groups, workers on the group's spot nodes, its limits", () => {
    const extra = values().gateway.extraConfig as Record<string, string>;
    const form = gatewayForm(extra, ["workshop", "linc", "dandi"], { group: "dandi", worker_cores: 4, worker_memory: 16 });
    expect(form.fields[0]).toEqual(["group", "dandi", { choices: ["dandi", "linc"] }]);
    const cfg = form.config;
    expect(cfg.worker_extra_pod_config.nodeSelector).toEqual({ "dandihub.org/group": "dandi", "dandihub.org/pool": "dandi-cpu-spot" });
    expect(cfg.worker_extra_pod_config.tolerations).toContainEqual({ key: "dandihub.org/group", operator: "Equal", value: "dandi", effect: "NoSchedule" });
    expect(cfg.worker_extra_pod_labels["dandihub.org/group"]).toBe("dandi");
    expect([cfg.cluster_max_cores, cfg.cluster_max_memory, cfg.cluster_max_workers]).toEqual([64, "256G", 16]);
    expect(gatewayForm(extra, ["workshop"])).toEqual({ error: "NotAllowed" });
    expect(gatewayForm(extra, ["linc"], { group: "dandi", worker_cores: 2, worker_memory: 8 }).config).toEqual({ error: "NotAllowed" });
  });

  it("a group with only on-demand nodes gets its workers there", () => {
    const yaml = minimalYaml().replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    capacity: on-demand") +
      "services:\n  daskGateway:\n    groups:\n      team: { maxCores: 8, maxMemory: 32Gi }\n";
    const { tf } = synth(yaml, { name: "daskod" });
    const extra = (releaseValues(tf, "services_dask-gateway_release") as Rec).gateway.extraConfig;
    const form = gatewayForm(extra, ["team"], { group: "team", worker_cores: 2, worker_memory: 8 });
    expect(form.config.worker_extra_pod_config.nodeSelector["dandihub.org/pool"]).toBe("team-cpu-on-demand");
  });

  it("user servers reach the gateway's proxy only; each group's Dask pods accept their own group and the gateway, the dashboard the proxy alone", () => {
    const { tf } = dandi();
    expect(hub(tf).singleuser.networkPolicy.egress).toEqual([
      { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "dask-gateway", "app.kubernetes.io/instance": "dask-gateway", "app.kubernetes.io/component": "traefik" } } }], ports: [{ port: 8000, protocol: "TCP" }] },
    ]);
    const { manifests } = releaseValues(tf, "isolation_policies_release") as { manifests: Rec[] };
    const dask = manifests.find((m) => m.metadata.name === "dandihub-dask-dandi")!;
    expect(dask.spec.podSelector).toEqual({ matchLabels: { "app.kubernetes.io/name": "dask-gateway", "dandihub.org/group": "dandi" }, matchExpressions: [{ key: "gateway.dask.org/cluster", operator: "Exists" }] });
    const self = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "jupyterhub" } }, podSelector: dask.spec.podSelector };
    expect(dask.spec.ingress[0]).toEqual({ from: [self], ports: [{ port: 1, endPort: 8786, protocol: "TCP" }, { port: 8788, endPort: 65535, protocol: "TCP" }] });
    const dashboard = dask.spec.ingress.filter((r: Rec) => r.ports.some((p: Rec) => p.port === 8787));
    expect(dashboard.map((r: Rec) => r.from[0].podSelector.matchLabels["app.kubernetes.io/component"])).toEqual(["traefik"]);
    // LINC's clusters are not among the peers DANDI's accept.
    expect(JSON.stringify(dask.spec.ingress)).not.toContain('"linc"');
    expect(manifests.some((m) => m.metadata.name === "dandihub-dask-linc")).toBe(true);
    expect(synth("config/minimal.yaml").tf.resource.helm_release["services_dask-gateway_release"]).toBeUndefined();
  });

  it("checks: granted groups must exist and have CPU nodes", () => {
    const yaml = minimalYaml() + "services:\n  daskGateway:\n    groups:\n      nobody: { maxCores: 8, maxMemory: 32Gi }\n";
    expect(problemsOf(yaml).format()).toContain("services.daskGateway.groups.nobody = {...}: no such group; groups: team");
  });
});

describe("chart services", () => {
  it("a chart published through the hub to the groups listed, in its own namespace, with only the IAM it lists", () => {
    const { tf } = VARIANTS["chart-service"]();
    const release = tf.resource.helm_release["services_viewer_chart_release"] as Rec;
    expect(release).toMatchObject({ name: "viewer", namespace: "viewer", repository: "https://charts.example.org/", chart: "dataset-viewer", version: "1.4.2" });
    expect((tf.resource.kubernetes_namespace_v1 as Rec)["services_viewer_namespace"].metadata.name).toBe("viewer");
    const h = hub(tf).hub;
    expect(h.services.viewer).toEqual({ display: true, url: "http://dataset-viewer.viewer.svc" });
    expect(h.loadRoles["dandihub-service-viewer"]).toMatchObject({ scopes: ["access:services!service=viewer"], groups: ["team"] });
    const role = tf.module["services_viewer_role"] as Rec;
    expect(role.policy_statements).toEqual([{ sid: "Statement0", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::dandiarchive/*"] }]);
    expect(role.associations.service).toMatchObject({ namespace: "viewer", service_account: "dataset-viewer" });
  });

  it("refuses reserved names, unknown groups, IAM without a service account and '*' resources", () => {
    const base = "services:\n  charts:\n    grafana:\n      chart: { repository: https://x.example.org/, name: g, version: 1.0.0 }\n      hub: { url: 'http://g.svc', groups: [nobody] }\n      iam:\n        - actions: [s3:GetObject]\n          resources: ['*']\n";
    const out = problemsOf(minimalYaml() + base).format();
    expect(out).toContain("services.charts.grafana = {...}: dandihub uses this service name itself");
    expect(out).toContain('services.charts.grafana.hub.groups[0] = "nobody": no such group');
    expect(out).toContain("services.charts.grafana.iam = [list of 1]: name the serviceAccount the role is for");
    expect(out).toContain("services.charts.grafana.iam[0].resources = [list of 1]: name the resources (ARNs); '*' is refused");
    expect(problemsOf(minimalYaml() + "services:\n  charts:\n    xy:\n      chart: { repository: https://x.example.org/, name: g, version: ^1.0.0 }\n").format()).toContain("an exact chart version");
  });
});
