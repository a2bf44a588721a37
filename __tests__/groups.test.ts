/** A community joins by adding a block of YAML: no code, and it gets its pool, profiles, tags and role. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hubSettings, releaseValues, ROOT, synth } from "./helpers";
import { askHub } from "./hub-python";

const NEW_GROUP = `
  newlab:
    displayName: New Lab
    members:
      github: ["dandi:newlab"]
      users: [pi-of-newlab]
    admins: [pi-of-newlab]
    profiles: [tiny, medium]
    capacity: on-demand
    limits: { cpu: 96, memory: 384Gi }
    env:
      LAB: newlab
`;

describe("adding a group in YAML alone", () => {
  const withGroup = () => synth(readFileSync(join(ROOT, "config/dandi.yaml"), "utf8") + NEW_GROUP, { name: "dandi" });

  it("produces its own NodePool and EC2NodeClass, with its limits, capacity, label, taint and tags", () => {
    const { manifests } = releaseValues(withGroup().tf, "karpenter_pools_release") as { manifests: { kind: string; metadata: { name: string }; spec: any }[] };
    const pool = manifests.find((m) => m.kind === "NodePool" && m.metadata.name === "newlab-cpu-on-demand")!;
    const nodeClass = manifests.find((m) => m.kind === "EC2NodeClass" && m.metadata.name === "newlab-cpu-on-demand")!;
    expect(pool.spec.limits).toEqual({ cpu: "96", memory: "384Gi" });
    expect(pool.spec.template.metadata.labels["dandihub.org/group"]).toBe("newlab");
    expect(pool.spec.template.spec.taints).toContainEqual({ key: "dandihub.org/group", value: "newlab", effect: "NoSchedule" });
    expect(pool.spec.template.spec.requirements).toContainEqual({ key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] });
    expect(nodeClass.spec.tags["dandihub:group"]).toBe("newlab");
    // The other groups' pools are untouched.
    const before = (releaseValues(synth("config/dandi.yaml").tf, "karpenter_pools_release") as { manifests: unknown[] }).manifests;
    expect(manifests.filter((m) => !m.metadata.name.startsWith("newlab-"))).toEqual(before);
  });

  it("its members see exactly its profiles, placed on its pool, with its environment", () => {
    const values = releaseValues(withGroup().tf, "jupyterhub_chart_release") as Record<string, any>;
    const settings = hubSettings(values);
    expect(askHub(settings, "[p['slug'] for p in profiles_for(s, ['newlab'])]")).toEqual(["tiny", "medium"]);
    expect(askHub(settings, "groups_for(s, 'someone', teams={('dandi', 'newlab')})")).toEqual(["newlab"]);
    expect(settings.groups.newlab.profiles.medium).toEqual({ pool: "newlab-cpu-on-demand", capacity: "on-demand" });
    expect(settings.groups.newlab.env).toEqual({ LAB: "newlab" });
    expect(values.hub.loadRoles["dandihub-group-admin-newlab"].users).toEqual(["pi-of-newlab"]);
  });
});
