/** Cross-field rules of storage: retention order, cleanup targets, quotas that fit their volume, mounts. */
import { closest } from "../../core/util/closest";
import type { ConfigProblem } from "../../config/errors";
import { exactlyOne } from "../../config/rules";
import type { Deployment } from "../../config/schema";
import { coreNfsProblem } from "./resolve";
import { parseDuration, parseQuantity } from "../../config/units";
import { volumesOf } from "./layout";

export function checkStorage(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const s = d.storage;
  if (parseDuration(s.retention.resetAfter) <= parseDuration(s.retention.warnAfter)) {
    problems.push({ path: ["storage", "retention", "resetAfter"], message: `must be longer than warnAfter (${s.retention.warnAfter}): users are warned before their home is reset` });
  }
  if (parseDuration(s.scratch.expireAfter) < 86400) {
    problems.push({ path: ["storage", "scratch", "expireAfter"], message: "S3 expires objects in whole days: at least 1d" });
  }
  if (s.common.initialSize !== undefined && parseQuantity(s.common.initialSize) > parseQuantity(s.common.size)) {
    problems.push({ path: ["storage", "common", "initialSize"], message: `larger than size (${s.common.size}), the most the volume may grow to` });
  }
  if (s.mode === "home-nfs" && s.servers === "core") {
    const why = coreNfsProblem(d);
    if (why) problems.push({ path: ["storage", "servers"], message: `NFS servers cannot run on the core nodes: ${why}; or set servers: dedicated` });
  }
  const volumes = volumesOf(Object.keys(d.groups));
  s.cleanup.forEach((c, i) => {
    if (!volumes.includes(c.volume)) {
      const guess = closest(c.volume, volumes);
      problems.push({ path: ["storage", "cleanup", i, "volume"], message: `no such shared directory${guess ? ` (did you mean ${guess}?)` : ""}; one of: ${volumes.join(", ")}` });
    }
    if (c.path.split("/").some((part) => part === ".." || part === ".")) {
      problems.push({ path: ["storage", "cleanup", i, "path"], message: "must stay inside the shared directory (no . or .. parts)" });
    }
  });
  for (const [name, g] of Object.entries(d.groups)) {
    const at = (...rest: (string | number)[]) => ["groups", name, ...rest];
    if (s.mode === "home-nfs") {
      const size = parseQuantity(g.storage.volumeSize);
      if (g.storage.initialSize !== undefined && parseQuantity(g.storage.initialSize) > size) {
        problems.push({ path: at("storage", "initialSize"), message: `larger than volumeSize (${g.storage.volumeSize}), the most the volume may grow to` });
      }
      if (parseQuantity(g.storage.homeQuota) > size) problems.push({ path: at("storage", "homeQuota"), message: `larger than the group's volume (${g.storage.volumeSize})` });
      if (parseQuantity(g.storage.sharedQuota) > size) problems.push({ path: at("storage", "sharedQuota"), message: `larger than the group's volume (${g.storage.volumeSize})` });
      for (const [user, q] of Object.entries(g.storage.quotaOverrides)) {
        if (parseQuantity(q) > size) problems.push({ path: at("storage", "quotaOverrides", user), message: `larger than the group's volume (${g.storage.volumeSize})` });
      }
    }
    const mountNames = new Set<string>();
    g.mounts.forEach((mnt, i) => {
      problems.push(...exactlyOne(at("mounts", i), mnt, ["nfs", "pvc"]));
      if (mountNames.has(mnt.name)) problems.push({ path: at("mounts", i, "name"), message: "another mount of this group has this name" });
      mountNames.add(mnt.name);
      if (mnt.mountPath === "/home/jovyan" || mnt.mountPath === "/") problems.push({ path: at("mounts", i, "mountPath"), message: "would hide the home directory; mount below /home/jovyan or elsewhere" });
      else if (/^\/(shared|mnt\/homes|mnt\/all-homes)(\/|$)/.test(mnt.mountPath)) problems.push({ path: at("mounts", i, "mountPath"), message: "/shared, /mnt/homes and /mnt/all-homes are where dandihub mounts homes and shared directories; choose another path (e.g. /data/...)" });
    });
  }
  return problems;
}
