/** Cross-field rules of the hub, its menu and its groups: TLS, profiles granted, groups' references. */
import { closest } from "../../core/util/closest";
import { secretFormat } from "../../core/util/secret-patterns";
import type { ConfigProblem } from "../../config/errors";
import { cidrListProblems, exactlyOne } from "../../config/rules";
import type { Deployment } from "../../config/schema";

/** Environment variables the hub or dandihub set in every server. */
export const RESERVED_ENV = /^(JUPYTERHUB_|JPY_|MEM_|CPU_|DANDIHUB_|DASK_GATEWAY__)|^SCRATCH_BUCKET$/;

export function checkHub(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [...exactlyOne(["hub", "tls"], d.hub.tls, ["acmCertificateArn", "letsEncrypt", "none"])];
  if (d.environment !== "development" && d.hub.tls.none) {
    problems.push({ path: ["hub", "tls", "none"], message: "plain HTTP is allowed only with environment: development; use acmCertificateArn or letsEncrypt" });
  }
  problems.push(...cidrListProblems(["hub", "loadBalancerSourceRanges"], d.hub.loadBalancerSourceRanges));
  return [...problems, ...checkProfiles(d), ...checkGroups(d), ...envSecrets(d)];
}

/** Env values are written into the hub's settings and the plan: a credential there is leaked. */
function envSecrets(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [g, group] of Object.entries(d.groups)) {
    for (const [name, value] of Object.entries(group.env)) {
      const format = secretFormat(value);
      if (format) problems.push({ path: ["groups", g, "env", name], secret: true, message: `looks like a credential (${format}): env is written into the hub's settings and the plan; give users credentials another way (the group's AWS role, an archive token they set). Rotate it: it was in this file` });
    }
  }
  return problems;
}

function checkProfiles(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = Object.keys(d.profiles);
  if (names.length === 0) problems.push({ path: ["profiles"], message: "define at least one profile" });
  const defaults = names.filter((n) => d.profiles[n].default);
  for (const n of defaults.slice(1)) problems.push({ path: ["profiles", n, "default"], message: `only one profile can be the default; ${defaults[0]} already is` });
  for (const name of names) {
    if (!Object.values(d.groups).some((g) => g.profiles.includes(name))) {
      problems.push({ path: ["profiles", name], atKey: true, message: "no group grants this profile; add it to some groups.*.profiles or remove it" });
    }
  }
  return problems;
}

function checkGroups(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const groups = Object.entries(d.groups);
  if (!groups.length) problems.push({ path: ["groups"], message: "define at least one group: nobody could log in or start a server" });
  const profileNames = Object.keys(d.profiles);
  for (const [name, g] of groups) {
    const at = (...rest: (string | number)[]) => ["groups", name, ...rest];
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
      if (RESERVED_ENV.test(k)) problems.push({ path: at("env", k), atKey: true, message: "set by the hub or dandihub (names starting JUPYTERHUB_, JPY_, MEM_, CPU_, DANDIHUB_, DASK_GATEWAY__, and SCRATCH_BUCKET)" });
    });
  }
  return problems;
}
