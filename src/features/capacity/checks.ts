/** Cross-field rules of capacity: families that exist, profiles that fit a node, limits that fit a profile. */
import { allocatable, familyArch, GPU_FAMILIES_BY_TYPE, INSTANCE_FAMILIES, instanceType, isGpuFamily, isKnownFamily } from "../../core/catalog/instance-types";
import { closest } from "../../core/util/closest";
import type { ConfigProblem } from "../../config/errors";
import { unknownInstanceType } from "../../config/rules";
import type { Deployment } from "../../config/schema";
import { parseQuantity } from "../../config/units";
import { candidateInstances, fittingInstances, planPools } from "./pools";
import { warmProfileOf, windowProblem } from "./warm";

export function checkCapacity(d: Deployment): ConfigProblem[] {
  return [...checkUserNodes(d), ...checkProfileSizes(d), ...checkPoolLimits(d), ...checkWarm(d)];
}

/** Warm capacity: a profile the group has, a window that exists, within the group's limits. */
function checkWarm(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [key, g] of Object.entries(d.groups)) {
    if (!g.warm) continue;
    const path = ["groups", key, "warm"];
    const profile = warmProfileOf(Object.keys(d.profiles), g);
    if (g.warm.profile !== undefined && !g.profiles.includes(g.warm.profile)) {
      const guess = closest(g.warm.profile, g.profiles);
      problems.push({ path: [...path, "profile"], message: `is not one of the group's profiles${guess ? ` (did you mean ${guess}?)` : ""}: ${g.profiles.join(", ")}` });
      continue;
    }
    const why = windowProblem(g.warm.when);
    if (why) problems.push({ path: [...path, "when"], message: why });
    const p = profile ? d.profiles[profile] : undefined;
    if (!p) continue;
    const [cpu, memory, gpus] = [g.warm.servers * p.cpu.guarantee, g.warm.servers * parseQuantity(p.memory.guarantee), g.warm.servers * (p.gpu?.count ?? 0)];
    if (p.gpu ? gpus > g.limits.gpus : cpu > g.limits.cpu || memory > parseQuantity(g.limits.memory)) {
      problems.push({ path: [...path, "servers"], message: `${g.warm.servers} placeholders of ${profile} need more than the group's limits allow (limits.${p.gpu ? "gpus" : "cpu and memory"}): they would wait for nodes Karpenter may not launch` });
    }
  }
  return problems;
}

function checkUserNodes(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const u = d.userNodes;
  if (u.ami.endsWith("@latest") && d.environment !== "development") {
    problems.push({ path: ["userNodes", "ami"], message: "al2023@latest moves every node to each AMI AWS publishes, without a config change; production pins a dated release such as al2023@v20260903 (help/versions.md)" });
  }
  u.instanceFamilies.forEach((f, i) => {
    const path = ["userNodes", "instanceFamilies", i];
    if (!isKnownFamily(f)) {
      const guess = closest(f, INSTANCE_FAMILIES);
      problems.push({ path, message: `unknown instance family${guess ? ` (did you mean ${guess}?)` : ""}; known: ${INSTANCE_FAMILIES.filter((x) => !isGpuFamily(x)).join(", ")}` });
    } else if (isGpuFamily(f)) {
      problems.push({ path, message: "GPU families belong in userNodes.gpuFamilies (GPU nodes are tainted for GPU profiles only)" });
    }
  });
  const arches = new Set(u.instanceFamilies.map(familyArch).filter(Boolean));
  if (arches.size > 1) {
    problems.push({ path: ["userNodes", "instanceFamilies"], message: "mix of amd64 and arm64 families: user images must run on every family listed; keep one architecture" });
  }
  (u.gpuFamilies ?? []).forEach((f, i) => {
    if (!isGpuFamily(f)) problems.push({ path: ["userNodes", "gpuFamilies", i], message: `not a GPU family; known: ${INSTANCE_FAMILIES.filter(isGpuFamily).join(", ")}` });
  });
  return problems;
}

function checkProfileSizes(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [name, p] of Object.entries(d.profiles)) {
    const at = (...rest: (string | number)[]) => ["profiles", name, ...rest];
    if (p.cpu.guarantee > p.cpu.limit) problems.push({ path: at("cpu", "guarantee"), message: `must not exceed cpu.limit (${p.cpu.limit})` });
    if (parseQuantity(p.memory.guarantee) > parseQuantity(p.memory.limit)) {
      problems.push({ path: at("memory", "guarantee"), message: `must not exceed memory.limit (${p.memory.limit})` });
    }
    (p.instanceTypes ?? []).forEach((t, i) => {
      const shape = instanceType(t);
      if (!shape) problems.push(unknownInstanceType(at("instanceTypes", i), t));
      else if (p.gpu && shape.gpuType !== p.gpu.type) problems.push({ path: at("instanceTypes", i), message: `has no ${p.gpu.type} GPU` });
      else if (!p.gpu && shape.gpus) problems.push({ path: at("instanceTypes", i), message: "is a GPU instance; a profile without gpu would waste it" });
    });
    const candidates = candidateInstances(d, p);
    if (p.gpu && !p.instanceTypes && !candidates.length) {
      problems.push({ path: at("gpu", "type"), message: `no family in userNodes.gpuFamilies has ${p.gpu.type} GPUs; add ${GPU_FAMILIES_BY_TYPE[p.gpu.type].join(" or ")}` });
    }
    if (candidates.length && !fittingInstances(d, p).length) {
      const largest = candidates.reduce((a, b) => (b.vcpu > a.vcpu ? b : a));
      const free = allocatable(largest);
      problems.push({
        path: at("cpu"),
        message: `fits no allowed instance: the largest, ${largest.name}, leaves ${free.vcpu.toFixed(1)} vCPU / ${free.memoryGiB.toFixed(0)} GiB${p.gpu ? ` / ${largest.gpus} GPU` : ""} for a server; lower the guarantees or allow larger families`,
      });
    }
  }
  return problems;
}

/** Every pool's limit must admit at least one node for the largest profile placed on it. */
function checkPoolLimits(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const pool of planPools(d)) {
    for (const profileName of pool.profiles) {
      const p = d.profiles[profileName];
      const need = p.gpu?.count ?? 0;
      const smallest = fittingInstances(d, p)[0];
      if (!smallest) continue; // reported on the profile itself
      // Written only for a problem: a large file has tens of thousands of pool profiles.
      const report = (limit: string, has: string) =>
        problems.push({
          path: ["groups", pool.group, "limits", limit],
          message: `below what profile ${profileName} needs: one ${smallest.name} (${smallest.vcpu} vCPU, ${smallest.memoryGiB} GiB${need ? `, ${smallest.gpus} GPU` : ""}) on pool ${pool.name}; this pool may have ${has}`,
        });
      if (pool.gpuType) {
        if (pool.limits.gpus < smallest.gpus) report("gpus", `${pool.limits.gpus} GPU(s)`);
      } else if (pool.limits.cpu < smallest.vcpu) {
        report("cpu", `${pool.limits.cpu} vCPU`);
      } else if (pool.limits.memoryBytes < smallest.memoryGiB * 2 ** 30) {
        report("memory", `${pool.limits.memoryBytes / 2 ** 30} GiB`);
      }
    }
  }
  return problems;
}
