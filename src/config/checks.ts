/**
 * Cross-field rules of the deployment file that a schema cannot say: one-of choices, names that
 * refer to other sections, sizes that must fit a node. Each returns problems with a field path
 * and a sentence saying what is allowed.
 */
import { CORE_COMPONENTS } from "../catalog/core-images";
import {
  allocatable,
  familyArch,
  GPU_FAMILIES_BY_TYPE,
  INSTANCE_FAMILIES,
  instancesOf,
  instanceType,
  isGpuFamily,
  isKnownFamily,
  type InstanceShape,
} from "../catalog/instance-types";
import { closest } from "../util/closest";
import { overlaps, parseCidr, type Ipv4Block } from "../util/cidr";
import type { ConfigPath, ConfigProblem } from "./errors";
import { candidateInstances, fittingInstances, planPools } from "./pools";
import type { Deployment, SecretRefConfig } from "./schema";
import { parseDuration, parseQuantity } from "./units";

/** Kubernetes minors EKS offers and Karpenter (see modules/versions.ts) supports. */
export const SUPPORTED_KUBERNETES = ["1.32", "1.33", "1.34", "1.35"] as const;

export function checkDeployment(d: Deployment): ConfigProblem[] {
  return [
    ...checkExactlyOne(d),
    ...checkSecrets(d),
    ...checkEnvironmentGates(d),
    ...checkNetwork(d),
    ...checkCluster(d),
    ...checkUserNodes(d),
    ...checkProfiles(d),
    ...checkAuthSources(d),
    ...checkGroups(d),
    ...checkStorage(d),
    ...checkCustomImages(d),
    ...checkCost(d),
    ...checkServices(d),
  ];
}

/** Every secret reference in the file with its path: one list, used by checks and constructs. */
export function secretRefs(d: Deployment): { path: ConfigPath; ref: SecretRefConfig }[] {
  const refs: { path: ConfigPath; ref: SecretRefConfig }[] = [];
  if (d.auth.github) refs.push({ path: ["auth", "github", "clientSecret"], ref: d.auth.github.clientSecret });
  d.auth.archives.forEach((a, i) => refs.push({ path: ["auth", "archives", i, "token"], ref: a.token }));
  if (d.auth.dandiOAuth?.clientSecret) refs.push({ path: ["auth", "dandiOAuth", "clientSecret"], ref: d.auth.dandiOAuth.clientSecret });
  d.customImages.pullSecrets.forEach((p, i) => refs.push({ path: ["customImages", "pullSecrets", i, "password"], ref: p.password }));
  return refs;
}

export const AUTHENTICATORS = ["github", "dandiOAuth", "cognito", "dummy"] as const;

function exactlyOne(path: ConfigPath, value: object | undefined, keys: readonly string[]): ConfigProblem[] {
  if (!value) return [];
  const set = keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined);
  if (set.length === 1) return [];
  return [
    {
      path,
      message: set.length
        ? `choose one of ${keys.join(", ")}, not ${set.join(" and ")}`
        : `needs one of ${keys.join(", ")}`,
    },
  ];
}

function checkExactlyOne(d: Deployment): ConfigProblem[] {
  return [
    ...exactlyOne(["backend"], d.backend, ["local", "s3", "cloud"]),
    ...exactlyOne(["hub", "tls"], d.hub.tls, ["acmCertificateArn", "letsEncrypt", "none"]),
    ...exactlyOne(["auth"], d.auth, AUTHENTICATORS),
  ];
}

function checkSecrets(d: Deployment): ConfigProblem[] {
  return secretRefs(d).flatMap(({ path, ref }) => exactlyOne(path, ref, ["variable", "secretsManager"]));
}

function checkEnvironmentGates(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (d.environment !== "development") {
    if (d.hub.tls.none) {
      problems.push({ path: ["hub", "tls", "none"], message: "plain HTTP is allowed only with environment: development; use acmCertificateArn or letsEncrypt" });
    }
    if (d.auth.dummy) {
      problems.push({ path: ["auth", "dummy"], message: "the dummy authenticator lets anyone in; it is allowed only with environment: development" });
    }
    if (d.auth.cognito) {
      problems.push({ path: ["auth", "cognito"], message: "the Cognito user pool is for development; allowed only with environment: development" });
    }
  }
  const cloud = d.backend?.cloud;
  if (cloud && !cloud.executionMode) {
    problems.push({
      path: ["backend", "cloud"],
      atKey: true,
      message:
        "say where Terraform runs: executionMode: local (your machine, state in Terraform Cloud) or agent (an HCP Terraform agent with the AWS CLI that can reach the cluster's API). " +
        "Terraform Cloud's remote runners cannot: they come from unpublished addresses (the API endpoint is restricted to cluster.endpointPublicAccessCidrs) and have no AWS CLI for `aws eks get-token` (help/getting-started.md)",
    });
  }
  if (cloud?.agentCidrs.length && cloud.executionMode !== "agent") {
    problems.push({ path: ["backend", "cloud", "agentCidrs"], message: "only for executionMode: agent" });
  }
  if (cloud) problems.push(...checkCidrList(["backend", "cloud", "agentCidrs"], cloud.agentCidrs));
  const local = d.backend?.local?.path;
  if (local !== undefined && (local.startsWith("/") || /^[A-Za-z]:[\\/]/.test(local) || local.split(/[\\/]/).includes(".."))) {
    problems.push({ path: ["backend", "local", "path"], message: "must be a path relative to the project directory, inside it (no leading /, no ..)" });
  }
  return problems;
}

function checkCidrList(path: ConfigPath, cidrs: readonly string[]): ConfigProblem[] {
  return cidrs.flatMap((c, i) => {
    const parsed = parseCidr(c);
    return typeof parsed === "string" ? [{ path: [...path, i], message: `invalid CIDR: ${parsed}` }] : [];
  });
}

function checkNetwork(d: Deployment): ConfigProblem[] {
  const vpc = parseCidr(d.network.cidr);
  if (typeof vpc === "string") return [{ path: ["network", "cidr"], message: `invalid CIDR: ${vpc}` }];
  const problems: ConfigProblem[] = [];
  if (vpc.prefix < 16 || vpc.prefix > 20) {
    problems.push({ path: ["network", "cidr"], message: "the VPC needs a /16 to /20 block (pods take VPC addresses)" });
  }
  const reserved: [string, Ipv4Block][] = [
    ["172.20.0.0/16 (the cluster's service addresses)", { base: 0xac140000, prefix: 16 }],
    ["172.17.0.0/16 (Docker's bridge, unusable on EKS nodes)", { base: 0xac110000, prefix: 16 }],
    ["100.64.0.0/10 (carrier-grade NAT, used for EKS secondary ranges)", { base: 0x64400000, prefix: 10 }],
  ];
  for (const [label, block] of reserved) {
    if (overlaps(vpc, block)) problems.push({ path: ["network", "cidr"], message: `overlaps ${label}; choose a block in 10.0.0.0/8 or 192.168.0.0/16` });
  }
  problems.push(...checkCidrList(["cluster", "endpointPublicAccessCidrs"], d.cluster.endpointPublicAccessCidrs));
  problems.push(...checkCidrList(["hub", "loadBalancerSourceRanges"], d.hub.loadBalancerSourceRanges));
  return problems;
}

function unknownInstanceType(path: ConfigPath, name: string): ConfigProblem {
  const family = name.split(".")[0];
  const known = isKnownFamily(family)
    ? instancesOf(family).map((i) => i.name)
    : INSTANCE_FAMILIES.map((f) => `${f}.*`);
  const guess = closest(name, isKnownFamily(family) ? known : INSTANCE_FAMILIES.flatMap((f) => instancesOf(f).map((i) => i.name)));
  return {
    path,
    message: `unknown instance type${guess ? ` (did you mean ${guess}?)` : ""}; known: ${known.join(", ")}`,
  };
}

function checkCluster(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const c = d.cluster;
  if (!(SUPPORTED_KUBERNETES as readonly string[]).includes(c.kubernetesVersion)) {
    problems.push({ path: ["cluster", "kubernetesVersion"], message: `supported: ${SUPPORTED_KUBERNETES.join(", ")}` });
  }
  const core = c.coreNodes;
  const shapes = core.instanceTypes.map((name, i) => {
    const shape = instanceType(name);
    if (!shape) problems.push(unknownInstanceType(["cluster", "coreNodes", "instanceTypes", i], name));
    else if (shape.gpus) problems.push({ path: ["cluster", "coreNodes", "instanceTypes", i], message: "core nodes cannot be GPU instances" });
    return shape;
  });
  const arches = new Set(shapes.filter((s): s is InstanceShape => !!s).map((s) => s.arch));
  if (arches.size > 1) {
    problems.push({ path: ["cluster", "coreNodes", "instanceTypes"], message: "a node group has one architecture: list only amd64 or only arm64 (Graviton) types" });
  } else if (arches.has("arm64")) {
    for (const c of CORE_COMPONENTS.filter((x) => !x.arm64 && x.enabled(d))) {
      problems.push({ path: ["cluster", "coreNodes", "instanceTypes"], message: `${c.name} has no arm64 image: use amd64 core types (e.g. t3a.large)` });
    }
  }
  if (!(core.min <= core.desired && core.desired <= core.max)) {
    problems.push({ path: ["cluster", "coreNodes"], message: `needs min <= desired <= max (got ${core.min} <= ${core.desired} <= ${core.max})` });
  }
  return problems;
}

function checkUserNodes(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const u = d.userNodes;
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
    if (!isGpuFamily(f)) {
      problems.push({ path: ["userNodes", "gpuFamilies", i], message: `not a GPU family; known: ${INSTANCE_FAMILIES.filter(isGpuFamily).join(", ")}` });
    }
  });
  return problems;
}

function checkProfiles(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = Object.keys(d.profiles);
  if (names.length === 0) problems.push({ path: ["profiles"], message: "define at least one profile" });
  const defaults = names.filter((n) => d.profiles[n].default);
  if (defaults.length > 1) {
    for (const n of defaults.slice(1)) {
      problems.push({ path: ["profiles", n, "default"], message: `only one profile can be the default; ${defaults[0]} already is` });
    }
  }
  const imageNames = Object.keys(d.images);
  for (const [name, p] of Object.entries(d.profiles)) {
    const at = (...rest: (string | number)[]) => ["profiles", name, ...rest];
    if (p.cpu.guarantee > p.cpu.limit) problems.push({ path: at("cpu", "guarantee"), message: `must not exceed cpu.limit (${p.cpu.limit})` });
    const memGuarantee = parseQuantity(p.memory.guarantee);
    if (memGuarantee > parseQuantity(p.memory.limit)) {
      problems.push({ path: at("memory", "guarantee"), message: `must not exceed memory.limit (${p.memory.limit})` });
    }
    p.images.forEach((img, i) => {
      const image = d.images[img];
      if (!image) {
        const guess = closest(img, imageNames);
        problems.push({ path: at("images", i), message: `no image of that name${guess ? ` (did you mean ${guess}?)` : ""}; defined: ${imageNames.join(", ") || "none"}` });
      } else if (image.gpu && !p.gpu) {
        problems.push({ path: at("images", i), message: "is a GPU image; offer it only in profiles with a gpu" });
      }
    });
    (p.instanceTypes ?? []).forEach((t, i) => {
      const shape = instanceType(t);
      if (!shape) problems.push(unknownInstanceType(at("instanceTypes", i), t));
      else if (p.gpu && shape.gpuType !== p.gpu.type) problems.push({ path: at("instanceTypes", i), message: `has no ${p.gpu.type} GPU` });
      else if (!p.gpu && shape.gpus) problems.push({ path: at("instanceTypes", i), message: "is a GPU instance; a profile without gpu would waste it" });
    });
    const candidates = candidateInstances(d, p);
    if (p.gpu && !p.instanceTypes && !candidates.length) {
      problems.push({
        path: at("gpu", "type"),
        message: `no family in userNodes.gpuFamilies has ${p.gpu.type} GPUs; add ${GPU_FAMILIES_BY_TYPE[p.gpu.type].join(" or ")}`,
      });
    }
    if (candidates.length && !fittingInstances(d, p).length) {
      const largest = candidates.reduce((a, b) => (b.vcpu > a.vcpu ? b : a));
      const free = allocatable(largest);
      problems.push({
        path: at("cpu"),
        message: `fits no allowed instance: the largest, ${largest.name}, leaves ${free.vcpu.toFixed(1)} vCPU / ${free.memoryGiB.toFixed(0)} GiB${p.gpu ? ` / ${largest.gpus} GPU` : ""} for a server; lower the guarantees or allow larger families`,
      });
    }
    if (!Object.values(d.groups).some((g) => g.profiles.includes(name))) {
      problems.push({ path: ["profiles", name], atKey: true, message: "no group grants this profile; add it to some groups.*.profiles or remove it" });
    }
  }
  return problems;
}

function checkAuthSources(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Set<string>();
  d.auth.archives.forEach((a, i) => {
    if (names.has(a.name)) problems.push({ path: ["auth", "archives", i, "name"], message: `another archive is already called ${a.name}` });
    names.add(a.name);
  });
  if (d.auth.archives.length && !d.auth.github && !d.auth.dandiOAuth) {
    problems.push({ path: ["auth", "archives"], message: "archive membership is checked for GitHub or dandiOAuth logins; configure one of them" });
  }
  const oauth = d.auth.dandiOAuth;
  if (oauth && !names.has(oauth.archive)) {
    problems.push({ path: ["auth", "dandiOAuth", "archive"], message: `no archive of that name in auth.archives; defined: ${[...names].join(", ") || "none"}` });
  }
  const orgs = new Set((d.auth.github?.organizations ?? []).map((o) => o.toLowerCase()));
  (d.auth.github?.adminTeams ?? []).forEach((t, i) => {
    if (!orgs.has(t.split(":")[0].toLowerCase())) {
      problems.push({ path: ["auth", "github", "adminTeams", i], message: `not under an allowed org; add ${t.split(":")[0]} to auth.github.organizations` });
    }
  });
  return problems;
}

const RESERVED_ENV = /^(JUPYTERHUB_|JPY_|MEM_|CPU_)/;

function checkGroups(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const groups = Object.entries(d.groups);
  if (!groups.length) problems.push({ path: ["groups"], message: "define at least one group: nobody could log in or start a server" });
  const orgs = new Set((d.auth.github?.organizations ?? []).map((o) => o.toLowerCase()));
  const archives = d.auth.archives.map((a) => a.name);
  const profileNames = Object.keys(d.profiles);
  for (const [name, g] of groups) {
    const at = (...rest: (string | number)[]) => ["groups", name, ...rest];
    const m = g.members;
    if (!m.github.length && !m.archives.length && !m.users.length) {
      problems.push({ path: at("members"), message: "name at least one source: github, archives or users" });
    }
    m.github.forEach((entry, i) => {
      if (!d.auth.github) {
        problems.push({ path: at("members", "github", i), message: "GitHub membership needs auth.github" });
      } else if (!orgs.has(entry.split(":")[0].toLowerCase())) {
        problems.push({ path: at("members", "github", i), message: `not under an allowed org; add ${entry.split(":")[0]} to auth.github.organizations (allowed: ${[...orgs].join(", ") || "none"})` });
      }
    });
    m.archives.forEach((a, i) => {
      if (!archives.includes(a)) {
        const guess = closest(a, archives);
        problems.push({ path: at("members", "archives", i), message: `no archive of that name${guess ? ` (did you mean ${guess}?)` : ""}; defined in auth.archives: ${archives.join(", ") || "none"}` });
      }
    });
    const seen = new Set<string>();
    g.profiles.forEach((p, i) => {
      if (!d.profiles[p]) {
        const guess = closest(p, profileNames);
        problems.push({ path: at("profiles", i), message: `no profile of that name${guess ? ` (did you mean ${guess}?)` : ""}; defined: ${profileNames.join(", ")}` });
      } else if (seen.has(p)) {
        problems.push({ path: at("profiles", i), message: "listed twice" });
      }
      seen.add(p);
    });
    Object.keys(g.env).forEach((k) => {
      if (RESERVED_ENV.test(k)) problems.push({ path: at("env", k), atKey: true, message: "names starting JUPYTERHUB_, JPY_, MEM_ or CPU_ are set by the hub" });
    });
    const mountNames = new Set<string>();
    g.mounts.forEach((mnt, i) => {
      problems.push(...exactlyOne(at("mounts", i), mnt, ["nfs", "pvc"]));
      if (mountNames.has(mnt.name)) problems.push({ path: at("mounts", i, "name"), message: "another mount of this group has this name" });
      mountNames.add(mnt.name);
      if (mnt.mountPath === "/home/jovyan" || mnt.mountPath === "/") problems.push({ path: at("mounts", i, "mountPath"), message: "would hide the home directory; mount below /home/jovyan or elsewhere" });
      else if (/^\/(shared|mnt\/homes|mnt\/all-homes)(\/|$)/.test(mnt.mountPath)) problems.push({ path: at("mounts", i, "mountPath"), message: "/shared, /mnt/homes and /mnt/all-homes are where dandihub mounts homes and shared directories; choose another path (e.g. /data/...)" });
    });
  }
  if (problems.length) return problems;
  return checkPoolLimits(d);
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
      const at = ["groups", pool.group, "limits"];
      const why = `profile ${profileName} needs: one ${smallest.name} (${smallest.vcpu} vCPU, ${smallest.memoryGiB} GiB${need ? `, ${smallest.gpus} GPU` : ""}) on pool ${pool.name}`;
      if (pool.gpuType) {
        if (pool.limits.gpus < smallest.gpus) problems.push({ path: [...at, "gpus"], message: `below what ${why}; this pool may have ${pool.limits.gpus} GPU(s)` });
      } else if (pool.limits.cpu < smallest.vcpu) {
        problems.push({ path: [...at, "cpu"], message: `below what ${why}; this pool may have ${pool.limits.cpu} vCPU` });
      } else if (pool.limits.memoryBytes < smallest.memoryGiB * 2 ** 30) {
        problems.push({ path: [...at, "memory"], message: `below what ${why}; this pool may have ${pool.limits.memoryBytes / 2 ** 30} GiB` });
      }
    }
  }
  return problems;
}

function checkStorage(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const s = d.storage;
  if (parseDuration(s.retention.resetAfter) <= parseDuration(s.retention.warnAfter)) {
    problems.push({ path: ["storage", "retention", "resetAfter"], message: `must be longer than warnAfter (${s.retention.warnAfter}): users are warned before their home is reset` });
  }
  if (parseDuration(s.scratch.expireAfter) < 86400) {
    problems.push({ path: ["storage", "scratch", "expireAfter"], message: "S3 expires objects in whole days: at least 1d" });
  }
  const volumes = ["common", ...Object.keys(d.groups)];
  s.cleanup.forEach((c, i) => {
    if (!volumes.includes(c.volume)) {
      const guess = closest(c.volume, volumes);
      problems.push({ path: ["storage", "cleanup", i, "volume"], message: `no such shared directory${guess ? ` (did you mean ${guess}?)` : ""}; one of: ${volumes.join(", ")}` });
    }
    if (c.path.split("/").some((part) => part === ".." || part === ".")) {
      problems.push({ path: ["storage", "cleanup", i, "path"], message: "must stay inside the shared directory (no . or .. parts)" });
    }
  });
  if (s.mode === "home-nfs") {
    for (const [name, g] of Object.entries(d.groups)) {
      const size = parseQuantity(g.storage.volumeSize);
      const at = ["groups", name, "storage"];
      if (parseQuantity(g.storage.homeQuota) > size) problems.push({ path: [...at, "homeQuota"], message: `larger than the group's volume (${g.storage.volumeSize})` });
      if (parseQuantity(g.storage.sharedQuota) > size) problems.push({ path: [...at, "sharedQuota"], message: `larger than the group's volume (${g.storage.volumeSize})` });
      for (const [user, q] of Object.entries(g.storage.quotaOverrides)) {
        if (parseQuantity(q) > size) problems.push({ path: [...at, "quotaOverrides", user], message: `larger than the group's volume (${g.storage.volumeSize})` });
      }
    }
  }
  return problems;
}

function checkCustomImages(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [name, g] of Object.entries(d.groups)) {
    if (g.customImages.own && !d.customImages.allowedRegistries.length) {
      problems.push({ path: ["groups", name, "customImages", "own"], message: "list where own images may come from in customImages.allowedRegistries (e.g. quay.io/)" });
    }
    if (g.customImages.build && !d.customImages.build) {
      problems.push({ path: ["groups", name, "customImages", "build"], message: "building needs customImages.build (its hubImage with jupyterhub-fancy-profiles)" });
    }
  }
  const wide = d.customImages.allowedRegistries.findIndex((r) => !r.includes("/") || r === "/");
  if (wide >= 0) problems.push({ path: ["customImages", "allowedRegistries", wide], message: "must end in /" });
  return problems;
}

/** Hub service names dandihub uses itself. */
const RESERVED_SERVICES = ["grafana", "prometheus", "binder", "dask-gateway", "dandihub-exporter", "dandihub-retention"];

function checkServices(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const groups = Object.keys(d.groups);
  const dask = d.services.daskGateway;
  if (dask) {
    for (const g of Object.keys(dask.groups)) {
      const path = ["services", "daskGateway", "groups", g];
      if (!d.groups[g]) problems.push({ path, atKey: true, message: `no such group; groups: ${groups.join(", ")}` });
      else if (!d.groups[g].profiles.some((p) => d.profiles[p] && !d.profiles[p].gpu)) problems.push({ path, atKey: true, message: "the group has no CPU profile, so no CPU nodes for Dask workers" });
    }
  }
  for (const [name, svc] of Object.entries(d.services.charts)) {
    const path = ["services", "charts", name];
    if (RESERVED_SERVICES.includes(name)) problems.push({ path, atKey: true, message: `dandihub uses this service name itself; reserved: ${RESERVED_SERVICES.join(", ")}` });
    (svc.hub?.groups ?? []).forEach((g, i) => {
      if (!d.groups[g]) problems.push({ path: [...path, "hub", "groups", i], message: `no such group; groups: ${groups.join(", ")}` });
    });
    if (svc.iam.length && !svc.serviceAccount) problems.push({ path: [...path, "iam"], message: "name the serviceAccount the role is for" });
    svc.iam.forEach((s, i) => {
      if (s.resources.includes("*")) problems.push({ path: [...path, "iam", i, "resources"], message: "name the resources (ARNs); '*' is refused (policy DH008)" });
    });
  }
  return problems;
}

function checkCost(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (d.cost.kubecost && !d.monitoring.enabled) {
    problems.push({ path: ["cost", "kubecost"], message: "Kubecost runs on the cluster's Prometheus: turn monitoring.enabled on, or this off" });
  }
  for (const [group, profiles] of Object.entries(d.cost.usage)) {
    const g = d.groups[group];
    if (!g) {
      problems.push({ path: ["cost", "usage", group], message: `no such group; groups: ${Object.keys(d.groups).join(", ")}` });
      continue;
    }
    for (const profile of Object.keys(profiles)) {
      if (!g.profiles.includes(profile)) {
        problems.push({ path: ["cost", "usage", group, profile], message: `group ${group} is not granted this profile; it has ${g.profiles.join(", ")}` });
      }
    }
  }
  return problems;
}
