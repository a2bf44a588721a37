/**
 * Pod Security admission on every namespace dandihub creates, and the pods dandihub itself runs
 * (its manifests, user servers as KubeSpawner builds them, Dask clusters) against the level
 * their namespace enforces, and against restricted wherever nothing forces less.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { releaseValues, ROOT, synth, VARIANTS, type Synthesized } from "./helpers";
import { askHub } from "./hub-python";
import { violations, type Level } from "./pod-security";

type Json = Record<string, any>;

function namespaces(s: Synthesized): Record<string, { level: Level; labels: Record<string, string>; reason?: string }> {
  return Object.fromEntries(
    Object.values((s.tf.resource.kubernetes_namespace_v1 ?? {}) as Record<string, Json>).map((ns) => [
      ns.metadata.name,
      { level: ns.metadata.labels["pod-security.kubernetes.io/enforce"], labels: ns.metadata.labels, reason: ns.metadata.annotations?.["dandihub.org/pod-security"] },
    ]),
  );
}

function namespaceOf(s: Synthesized, namespace: string): string {
  const ref = /^\$\{kubernetes_namespace_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(namespace);
  return ref ? (s.tf.resource.kubernetes_namespace_v1[ref[1]].metadata as { name: string }).name : namespace;
}

/** Pod specs of dandihub's own manifests (charts/manifests releases), with their namespace. */
function ownPods(s: Synthesized): { name: string; namespace: string; spec: Json }[] {
  const out: { name: string; namespace: string; spec: Json }[] = [];
  for (const [address, r] of Object.entries(s.tf.resource.helm_release ?? {}) as [string, Json][]) {
    if (!String(r.chart).startsWith("assets/")) continue;
    for (const m of ((releaseValues(s.tf, address) as Json).manifests ?? []) as Json[]) {
      const t = m.kind === "CronJob" ? m.spec.jobTemplate.spec.template : m.spec?.template;
      if (t?.spec) out.push({ name: `${address}:${m.kind}/${m.metadata.name}`, namespace: m.metadata.namespace ?? namespaceOf(s, String(r.namespace)), spec: t.spec });
    }
  }
  return out;
}

/** Node agents: they must run on every node, with the host's access (help/security.md). */
const NODE_AGENTS = ["DaemonSet/dandihub-event-log"];

describe("Pod Security admission", () => {
  for (const [variant, get] of Object.entries(VARIANTS)) {
    it(`${variant}: every namespace enforces a level, warns and audits restricted, and says why it is not restricted`, () => {
      const s = get();
      for (const [name, ns] of Object.entries(namespaces(s))) {
        expect(["restricted", "baseline", "privileged"], name).toContain(ns.level);
        expect(ns.labels["pod-security.kubernetes.io/warn"], name).toBe("restricted");
        expect(ns.labels["pod-security.kubernetes.io/audit"], name).toBe("restricted");
        if (ns.level !== "restricted") expect(ns.reason, name).toMatch(/.{20,}/);
        else expect(ns.reason, name).toBeUndefined();
      }
    });

    it(`${variant}: dandihub's own pods pass their namespace's level, and restricted unless they are node agents`, () => {
      const s = get();
      const levels = namespaces(s);
      for (const pod of ownPods(s)) {
        const level = levels[pod.namespace]?.level ?? "restricted";
        expect(violations(pod.spec, level), `${pod.name} in ${pod.namespace} (${level})`).toEqual([]);
        if (!NODE_AGENTS.some((a) => pod.name.endsWith(a))) expect(violations(pod.spec, "restricted"), pod.name).toEqual([]);
      }
    });

    it(`${variant}: a user server, as KubeSpawner builds it from these values, is restricted in every group`, () => {
      const s = get();
      const hub = releaseValues(s.tf, "jupyterhub_chart_release") as Json;
      const ks = hub.hub.config.KubeSpawner;
      const settings = JSON.parse(hub.hub.extraFiles["dandihub-settings"].stringData);
      for (const g of settings.groupOrder as string[]) {
        // KubeSpawner 7 (objects.make_pod): fsGroup from fs_gid, then pod_security_context over it;
        // runAsUser/allowPrivilegeEscalation from uid and allow_privilege_escalation, then container_security_context.
        const [volumes] = settings.storage
          ? (askHub(settings, `__import__('dandihub_hub.spawn', fromlist=['x']).storage_mounts(s, '${g}', s['groupOrder'], True)`) as [Json[], Json[]])
          : [[]];
        const spec = {
          securityContext: { fsGroup: hub.singleuser.fsGid, ...ks.pod_security_context },
          containers: [{ name: "notebook", securityContext: { runAsUser: hub.singleuser.uid, allowPrivilegeEscalation: hub.singleuser.allowPrivilegeEscalation, ...ks.container_security_context } }],
          volumes: [...volumes, ...(settings.groups[g].volumes ?? [])],
        };
        const level = namespaces(s).jupyterhub.level;
        expect(violations(spec, level), `${g}'s server in the hub namespace (${level})`).toEqual([]);
        const userCode = violations({ ...spec, volumes: volumes }, "restricted");
        expect(userCode, `${g}'s server`).toEqual([]);
      }
    });
  }

  it("Dask schedulers and workers run restricted, as the user identity", () => {
    const values = releaseValues(VARIANTS.dandi().tf, "services_dask-gateway_release") as Json;
    const literal = /json\.loads\((".*")\)\)\s*$/s.exec(values.gateway.extraConfig["20-dandihub-options"])![1];
    const settings = JSON.parse(JSON.parse(literal));
    const spec = { securityContext: settings.podSecurityContext, containers: [{ name: "dask-worker", securityContext: settings.containerSecurityContext }], volumes: [{ name: "dask-credentials", secret: { secretName: "x" } }] };
    expect(violations(spec, "restricted")).toEqual([]);
    expect(settings.podSecurityContext.runAsUser).toBe(1000);
  });

  it("the levels: restricted unless something must run there that cannot be", () => {
    const level = (v: string, ns: string) => namespaces(VARIANTS[v]())[ns]?.level;
    expect(level("minimal", "jupyterhub")).toBe("restricted");
    expect(level("dandi", "jupyterhub")).toBe("baseline"); // the dask-gateway chart's pods
    expect(level("images-build", "jupyterhub")).toBe("privileged"); // the image builder's Docker daemon
    expect(level("dandi", "storage-dandi")).toBe("privileged");
    expect(level("dandi", "tigera-operator")).toBe("privileged");
    expect(level("chart-service", "viewer")).toBe("baseline");
  });

  it("the checker refuses what it should (it can fail)", () => {
    expect(violations({ containers: [{ name: "c", securityContext: { privileged: true } }] }, "baseline")).toEqual(["c: privileged"]);
    expect(violations({ hostNetwork: true, containers: [] }, "baseline")).toEqual(["host namespaces"]);
    expect(violations({ volumes: [{ name: "v", nfs: { server: "s", path: "/" } }], containers: [] }, "restricted")).toEqual(["volume v: nfs is not allowed"]);
    expect(violations({ containers: [{ name: "c" }] }, "restricted")).toEqual(["c: allowPrivilegeEscalation not false", "c: does not drop ALL capabilities", "c: runAsNonRoot not true", "c: no RuntimeDefault seccomp profile"]);
    expect(violations({ containers: [{ name: "c", securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }] }, "baseline")).toEqual(["c: adds SYS_ADMIN"]);
  });

  it("privileged pods run only on nodes user servers never land on", () => {
    const s = VARIANTS["images-build"]();
    // NFS servers: on a core node (storage.servers: core) or their own tainted pool (dedicated).
    const nfs = releaseValues(s.tf, "storage_builders_server_release") as Json;
    expect(nfs.nodeSelector).toMatchObject({ "dandihub.org/node-role": "core" });
    expect(nfs.tolerations).toBeUndefined();
    const dedicated = synth(`${readFileSync(join(ROOT, "config/examples/images-build.yaml"), "utf8")}\nstorage:\n  servers: dedicated\n`, { name: "images-build-dedicated" });
    const own = releaseValues(dedicated.tf, "storage_builders_server_release") as Json;
    expect(own.nodeSelector).toMatchObject({ "dandihub.org/node-role": "storage" });
    expect(own.tolerations).toEqual([{ key: "dandihub.org/storage", operator: "Equal", value: "true", effect: "NoSchedule" }]);
    const builder = releaseValues(s.tf, "images_builder_release") as Json;
    expect(builder.dockerApi.nodeSelector).toEqual({ "dandihub.org/node-role": "builder" });
    // User servers select their group's pool (apply_group) and tolerate neither storage nor builder roles.
    const hub = releaseValues(s.tf, "jupyterhub_chart_release") as Json;
    expect(JSON.stringify(hub.singleuser)).not.toContain("dandihub.org/storage");
    expect(JSON.stringify(hub.singleuser)).not.toContain('"builder"');
  });
});
