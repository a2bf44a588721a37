/**
 * Everyday edits of config/dandi.yaml, each synthesized before and after: no resource holding
 * data is removed, re-addressed without a `moved` block, or has an attribute changed that the
 * provider cannot change in place. help/runbooks.md has a procedure for each edit.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isMap, parseDocument, type Document, type YAMLMap } from "yaml";
import { classify, dataProblems, followMoves, type Change } from "./change-safety";
import { ROOT, synth, type Synthesized, type TfJson } from "./helpers";

const BASE = readFileSync(join(ROOT, "config/dandi.yaml"), "utf8");

/** dandi.yaml with `edit` applied to its document (comments and order otherwise kept). */
function edited(edit: (doc: Document) => void): string {
  const doc = parseDocument(BASE);
  edit(doc);
  return doc.toString({ lineWidth: 0 });
}

const groupsOf = (doc: Document) => doc.get("groups") as YAMLMap;

/** Inserts a group at `index` of the groups section. */
function addGroup(index: number) {
  return (doc: Document) => {
    const pair = doc.createPair("newlab", {
      displayName: "New Lab",
      members: { github: ["dandi:newlab"] },
      profiles: ["tiny", "base"],
      limits: { cpu: 64, memory: "256Gi" },
      storage: { homeQuota: "20Gi", sharedQuota: "100Gi", volumeSize: "500Gi" },
    });
    groupsOf(doc).items.splice(index, 0, pair as never);
  };
}

interface Edit {
  readonly name: string;
  readonly edit: (doc: Document) => void;
  /** Data this edit removes on purpose (a removed group's), which the plan must refuse. */
  readonly removes?: (address: string) => boolean;
  /** What the deployment was before the edit. @default config/dandi.yaml as shipped */
  readonly base?: (doc: Document) => void;
  /** The help page and section telling an operator how to make this edit. */
  readonly runbook: string;
  /** What else must hold of the change set: the edit did what it says. */
  readonly check?: (changes: Change[], before: Synthesized, after: Synthesized) => void;
}

const find = (changes: Change[], address: string) => {
  const c = changes.find((x) => x.address === address);
  if (!c) throw new Error(`no ${address} among ${changes.length} changes`);
  return c;
};

const EDITS: Edit[] = [
  { name: "add a group at the start", runbook: "runbooks.md#add-a-group", edit: addGroup(0), check: (c) => expect(find(c, "aws_ebs_volume.storage_newlab_volume").verdict.kind).toBe("added") },
  { name: "add a group in the middle", runbook: "runbooks.md#add-a-group", edit: addGroup(2) },
  { name: "add a group at the end", runbook: "runbooks.md#add-a-group", edit: addGroup(5) },
  {
    name: "remove a group", runbook: "runbooks.md#remove-a-group",
    edit: (doc) => groupsOf(doc).delete("bican"),
    removes: (a) => /storage_bican[-_]/.test(a),
    check: (c) => {
      const removed = c.filter((x) => x.verdict.kind === "removed" && x.holdsData).map((x) => x.address);
      expect(removed).toEqual(expect.arrayContaining(["aws_ebs_volume.storage_bican_volume", "aws_s3_bucket.storage_bican-bucket_bucket", "kubernetes_persistent_volume_claim_v1.storage_bican_claim"]));
      // The other groups' servers keep their addresses: nothing of theirs changes at all.
      for (const g of ["ember", "workshop"]) expect(find(c, `kubernetes_service_v1.storage_${g}_service`).verdict.kind).toBe("unchanged");
    },
  },
  {
    name: "reorder the groups", runbook: "runbooks.md#reorder-groups",
    edit: (doc) => groupsOf(doc).items.reverse(),
    check: (c) => {
      for (const x of c.filter((y) => y.holdsData)) expect(["unchanged", "updated"], x.address).toContain(x.verdict.kind);
    },
  },
  {
    name: "bump kubernetesVersion", runbook: "runbooks.md#upgrade-kubernetes",
    base: (doc) => doc.setIn(["cluster", "kubernetesVersion"], "1.34"),
    edit: (doc) => doc.setIn(["cluster", "kubernetesVersion"], "1.35"),
    check: (c, _b, after) => {
      expect(find(c, "module.cluster_eks").verdict.kind).toBe("updated");
      expect((after.tf.module.cluster_eks.addons as Record<string, { addon_version: string }>)["kube-proxy"].addon_version).toMatch(/^v1\.35\./);
      expect(c.filter((x) => x.holdsData && x.verdict.kind !== "unchanged").map((x) => x.address)).toEqual([]);
    },
  },
  { name: "change an instance family", runbook: "runbooks.md#change-instance-families", edit: (doc) => doc.setIn(["userNodes", "instanceFamilies"], ["c6a", "c7a", "m6a", "m7a", "r6a"]), check: (c) => expect(find(c, "helm_release.karpenter_pools_release").verdict.kind).toBe("updated") },
  {
    name: "change a home quota", runbook: "runbooks.md#change-a-home-quota",
    edit: (doc) => doc.setIn(["groups", "dandi", "storage", "homeQuota"], "100Gi"),
    check: (c) => expect(find(c, "helm_release.storage_dandi_server_release").verdict.kind).toBe("updated"),
  },
  {
    name: "grow a volume", runbook: "runbooks.md#grow-a-volume",
    edit: (doc) => doc.setIn(["groups", "linc", "storage", "volumeSize"], "2Ti"),
    check: (c, _b, after) => {
      // volumeSize is the cap of a growing volume: only the grower's limit moves. The volume keeps
      // the size it has (Terraform ignores it), the claims theirs (static claims cannot resize).
      expect(find(c, "aws_ebs_volume.storage_linc_volume").verdict.kind).toBe("unchanged");
      expect(find(c, "helm_release.storage_linc_server_release").verdict.kind).toBe("unchanged");
      expect(find(c, "helm_release.storage-jobs_jobs_release").verdict.kind).toBe("updated");
      const grower = releaseManifests(after.tf, "storage-jobs_jobs_release").find((m) => m.metadata.name === "dandihub-grow-linc")!;
      const args = grower.spec.jobTemplate.spec.template.spec.containers[0].args as string[];
      expect(args[args.indexOf("--cap-gib") + 1]).toBe("2048");
    },
  },
  {
    name: "grow a volume that does not grow by itself", runbook: "runbooks.md#grow-a-volume",
    base: (doc) => doc.setIn(["storage", "growth", "enabled"], false),
    edit: (doc) => {
      doc.setIn(["storage", "growth", "enabled"], false);
      doc.setIn(["groups", "linc", "storage", "volumeSize"], "2Ti");
    },
    check: (c, _b, after) => {
      expect(find(c, "aws_ebs_volume.storage_linc_volume").verdict.kind).toBe("updated");
      expect(after.tf.resource.aws_ebs_volume.storage_linc_volume.size).toBe(2048);
      // The claims keep the size they were made with (Kubernetes cannot resize a static one); the
      // NFS server's release does not change at all (its chart's claim reads the recorded size).
      expect(find(c, "helm_release.storage_linc_server_release").verdict.kind).toBe("unchanged");
      expect(after.tf.resource.terraform_data["storage_linc_created-size"]).toMatchObject({ input: { gib: 2048 }, lifecycle: { ignore_changes: ["input"] } });
    },
  },
  {
    name: "add a profile", runbook: "runbooks.md#add-a-profile-or-an-image",
    edit: (doc) => {
      (doc.get("profiles") as YAMLMap).set("xlarge", doc.createNode({ displayName: "XL", cpu: { guarantee: 32, limit: 64 }, memory: { guarantee: "96Gi", limit: "128Gi" }, images: ["dandi"] }));
      (doc.getIn(["groups", "dandi", "profiles"]) as { add(v: unknown): void }).add("xlarge");
    },
    check: (c) => expect(find(c, "helm_release.jupyterhub_chart_release").verdict.kind).toBe("updated"),
  },
  {
    name: "rotate a secret reference", runbook: "groups.md#rotating-secrets",
    edit: (doc) => doc.setIn(["auth", "github", "clientSecret"], doc.createNode({ secretsManager: { secretId: "dandihub/github-oauth", key: "client_secret" } })),
    check: (c, _b, after) => {
      // A Secrets Manager reference reaches the hub through ESO: the variable's key leaves the auth
      // secret, the hub reads the synced one; nothing is replaced, Terraform never reads the value.
      expect(c.filter((x) => x.verdict.kind !== "unchanged").map((x) => [x.address, x.verdict.kind])).toEqual([
        ["helm_release.jupyterhub_chart_release", "updated"],
        ["kubernetes_secret_v1.jupyterhub_auth-secret", "updated"],
        ["helm_release.external-secrets_chart_release", "added"],
        ["helm_release.external-secrets_synced_release", "added"],
        ["module.external-secrets_role", "added"],
      ]);
      expect(after.tf.data?.aws_secretsmanager_secret_version).toBeUndefined();
      expect(after.tf.variable?.github_client_secret).toBeUndefined();
    },
  },
  {
    name: "rename a group (renamedFrom)", runbook: "groups.md#rename-a-group",
    edit: (doc) => {
      const groups = groupsOf(doc);
      const pair = groups.items.find((p) => String((p.key as { value: unknown }).value) === "linc")!;
      (pair.key as { value: unknown }).value = "linc-lab";
      (pair.value as YAMLMap).set("renamedFrom", "linc");
      for (const path of [["services", "daskGateway", "groups"], ["cost", "usage"]]) {
        const m = doc.getIn(path);
        if (isMap(m)) for (const p of m.items) if (String((p.key as { value: unknown }).value) === "linc") (p.key as { value: unknown }).value = "linc-lab";
      }
    },
    check: (c, _b, after) => {
      const volume = find(c, "aws_ebs_volume.storage_linc_volume");
      expect(volume.verdict).toEqual({ kind: "moved", to: "aws_ebs_volume.storage_linc-lab_volume", updated: true });
      // Everything made for the group moves; the data keeps the names it was made under.
      for (const x of c.filter((y) => /linc[-_]|_linc$/.test(y.address) && !y.address.includes("linc-lab"))) expect(x.verdict.kind, x.address).toBe("moved");
      expect(after.tf.resource.aws_s3_bucket["storage_linc-lab-bucket_bucket"].bucket_prefix).toBe("dandi-linc-");
      expect(after.tf.resource.kubernetes_persistent_volume_claim_v1["storage_linc-lab_claim"].metadata).toMatchObject({ name: "home-linc" });
      expect(after.tf.resource.aws_ebs_volume["storage_linc-lab_volume"].tags).toMatchObject({ "dandihub:group": "linc-lab", Name: "dandi-linc" });
    },
  },
];

const before = () => synth("config/dandi.yaml");

/** The resources of a manifests-chart release, from its values. */
function releaseManifests(tf: TfJson, address: string): any[] {
  return (JSON.parse((tf.resource.helm_release[address] as { values: string[] }).values[0]) as { manifests: any[] }).manifests;
}

describe("change safety: everyday edits of config/dandi.yaml", () => {
  for (const e of EDITS) {
    it(e.name, () => {
      const after = synth(edited(e.edit), { name: "dandi" });
      const start = e.base ? synth(edited(e.base), { name: "dandi" }) : before();
      const changes = classify(start.tf, after.tf);
      expect(dataProblems(changes, e.removes)).toEqual([]);
      // The edit did something, and every changed resource has a verdict.
      expect(changes.some((c) => c.verdict.kind !== "unchanged")).toBe(true);
      e.check?.(changes, start, after);
    });
  }

  it("every edit has a runbook section that exists", () => {
    for (const e of EDITS) {
      const [page, anchor] = e.runbook.split("#");
      const headings = [...readFileSync(join(ROOT, "help", page), "utf8").matchAll(/^#{2,3} (.*)$/gm)].map((m) => m[1].trim().toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-"));
      expect(headings, `${e.name} -> ${e.runbook}`).toContain(anchor);
    }
  });

  it("every data-holding resource of the deployment is one the table knows", () => {
    const holding = classify(before().tf, before().tf).filter((c) => c.holdsData);
    const types = new Set(holding.map((c) => c.type));
    for (const t of ["aws_ebs_volume", "aws_s3_bucket", "aws_backup_vault", "kubernetes_persistent_volume_v1", "kubernetes_persistent_volume_claim_v1", "kubernetes_service_v1", "helm_release"]) expect(types, t).toContain(t);
    expect(holding.filter((c) => c.type === "helm_release").map((c) => c.address)).toContain("helm_release.jupyterhub_chart_release");
    expect(holding.filter((c) => c.type === "kubernetes_service_v1")).toHaveLength(6);
  });
});

/** Today's stack as it was before stable addresses: NFS Services at 172.20.250.(10 + position). */
function positional(s: Synthesized): TfJson {
  const tf = JSON.parse(s.text) as TfJson;
  const volumes = ["common", ...s.config.groups.map((g) => g.storage.volume)];
  volumes.forEach((v, i) => {
    const ip = `172.20.250.${10 + i}`;
    (tf.resource.kubernetes_service_v1[`storage_${v}_service`].spec as Record<string, unknown>).cluster_ip = ip;
    const pv = tf.resource.kubernetes_persistent_volume_v1[`storage_${v}_pv`].spec as { persistent_volume_source: { nfs: { server: string } } }[];
    pv[0].persistent_volume_source.nfs.server = ip;
  });
  return tf;
}

describe("the matrix catches what positional addresses did", () => {
  it("removing or reordering groups with positional NFS addresses replaces other groups' servers and volumes", () => {
    for (const e of [EDITS[3], EDITS[4], EDITS[0]]) {
      const after = synth(edited(e.edit), { name: "dandi" });
      const problems = dataProblems(classify(positional(before()), positional(after)), e.removes);
      expect(problems.some((p) => p.includes("spec.cluster_ip")), `${e.name}: ${problems.join("\n")}`).toBe(true);
      expect(problems.some((p) => p.includes("spec.persistent_volume_source"))).toBe(true);
    }
  });

  it("a rename without renamedFrom re-addresses the group's data: flagged", () => {
    const after = synth(
      edited((doc) => {
        EDITS.find((x) => x.name === "rename a group (renamedFrom)")!.edit(doc);
        (doc.getIn(["groups", "linc-lab"]) as YAMLMap).delete("renamedFrom");
      }),
      { name: "dandi" },
    );
    const problems = dataProblems(classify(before().tf, after.tf));
    expect(problems).toContain("aws_ebs_volume.storage_linc_volume: removed (a new address without a moved block, or its data deleted)");
    expect(problems).toContain("aws_s3_bucket.storage_linc-bucket_bucket: removed (a new address without a moved block, or its data deleted)");
  });

  it("a shrinking volume, a dropped guard or a moved storage class is flagged", () => {
    const base = before().tf;
    const worse = JSON.parse(before().text) as TfJson;
    // A volume Terraform sizes (growth off): its size is no longer ignored.
    worse.resource.aws_ebs_volume.storage_linc_volume.size = 10;
    (worse.resource.aws_ebs_volume.storage_linc_volume.lifecycle as { ignore_changes: string[] }).ignore_changes = ["availability_zone"];
    delete (worse.resource.aws_s3_bucket["storage_dandi-bucket_bucket"] as { lifecycle?: unknown }).lifecycle;
    const hub = worse.resource.helm_release.jupyterhub_chart_release as { values: string[] };
    const values = JSON.parse(hub.values[0]);
    values.hub.db.pvc.storageClassName = "gp3";
    hub.values = [JSON.stringify(values)];
    const problems = dataProblems(classify(base, worse));
    expect(problems).toEqual(
      expect.arrayContaining([
        "aws_ebs_volume.storage_linc_volume: size shrinks: 20 -> 10",
        "aws_s3_bucket.storage_dandi-bucket_bucket: lifecycle.prevent_destroy dropped",
        'helm_release.jupyterhub_chart_release: values hub.db.pvc.storageClassName: "gp3-retain" -> "gp3"',
      ]),
    );
  });

  it("growing a volume the way it used to (claims sized from the file) is flagged: static claims cannot resize", () => {
    const fixed = EDITS.find((e) => e.name === "grow a volume that does not grow by itself")!;
    const after = synth(edited(fixed.edit), { name: "dandi" });
    const tf = JSON.parse(after.text) as TfJson;
    const claim = tf.resource.kubernetes_persistent_volume_claim_v1.storage_linc_claim as { lifecycle?: unknown; spec: { resources: { requests: { storage: string } } } };
    delete claim.lifecycle;
    const release = tf.resource.helm_release.storage_linc_server_release as { values: string[] };
    const values = JSON.parse(release.values[0]);
    values.persistentVolume.size = "2048Gi";
    release.values = [JSON.stringify(values)];
    const before1 = JSON.parse(synth(edited(fixed.base!), { name: "dandi" }).text) as TfJson;
    const v0 = JSON.parse((before1.resource.helm_release.storage_linc_server_release as { values: string[] }).values[0]);
    v0.persistentVolume.size = "1024Gi";
    (before1.resource.helm_release.storage_linc_server_release as { values: string[] }).values = [JSON.stringify(v0)];
    const problems = dataProblems(classify(before1, tf));
    expect(problems.sort()).toEqual([
      "helm_release.storage_linc_server_release: values persistentVolume.size cannot change (the chart's claim is statically bound): 1024Gi -> 2048Gi",
      "kubernetes_persistent_volume_claim_v1.storage_linc_claim: spec.resources.requests.storage cannot change (the API refuses): 1024Gi -> 2048Gi",
    ]);
  });

  it("moves are followed through chains", () => {
    const tf = { moved: [{ from: "a.x", to: "a.y" }, { from: "a.y", to: "a.z" }] } as unknown as TfJson;
    expect(followMoves(tf, "a.x")).toBe("a.z");
    expect(followMoves(tf, "a.q")).toBe("a.q");
  });
});
