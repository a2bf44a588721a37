/** Cross-field rules of login and membership: one login method, archives that exist, orgs that are read. */
import { closest } from "../../core/util/closest";
import type { ConfigProblem } from "../../config/errors";
import { exactlyOne, secretRefProblems } from "../../config/rules";
import type { Deployment } from "../../config/schema";
import { AUTHENTICATORS } from "./resolve";

export function checkAuth(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [...exactlyOne(["auth"], d.auth, AUTHENTICATORS)];
  const a = d.auth;
  if (a.github) problems.push(...secretRefProblems(["auth", "github", "clientSecret"], a.github.clientSecret));
  // GitHub client ids are 20 characters (Ov23li..., Iv1....); 40 hex characters is the secret.
  if (a.github && /^[0-9a-f]{40}$/.test(a.github.clientId)) {
    problems.push({ path: ["auth", "github", "clientId"], secret: true, message: "looks like the client secret (40 hex characters), not the id: the id is the 20-character value; the secret goes in clientSecret as { variable: <name> }. Rotate it: it was in this file" });
  }
  a.archives.forEach((x, i) => problems.push(...secretRefProblems(["auth", "archives", i, "token"], x.token)));
  if (a.dandiOAuth?.clientSecret) problems.push(...secretRefProblems(["auth", "dandiOAuth", "clientSecret"], a.dandiOAuth.clientSecret));
  if (d.environment !== "development") {
    if (a.dummy) problems.push({ path: ["auth", "dummy"], message: "the dummy authenticator lets anyone in; it is allowed only with environment: development" });
    if (a.cognito) problems.push({ path: ["auth", "cognito"], message: "the Cognito user pool is for development; allowed only with environment: development" });
  }
  const names = new Set<string>();
  a.archives.forEach((x, i) => {
    if (names.has(x.name)) problems.push({ path: ["auth", "archives", i, "name"], message: `another archive is already called ${x.name}` });
    names.add(x.name);
  });
  if (a.archives.length && !a.github && !a.dandiOAuth) {
    problems.push({ path: ["auth", "archives"], message: "archive membership is checked for GitHub or dandiOAuth logins; configure one of them" });
  }
  if (a.dandiOAuth && !names.has(a.dandiOAuth.archive)) {
    problems.push({ path: ["auth", "dandiOAuth", "archive"], message: `no archive of that name in auth.archives; defined: ${[...names].join(", ") || "none"}` });
  }
  const orgs = new Set((a.github?.organizations ?? []).map((o) => o.toLowerCase()));
  (a.github?.adminTeams ?? []).forEach((t, i) => {
    if (!orgs.has(t.split(":")[0].toLowerCase())) problems.push({ path: ["auth", "github", "adminTeams", i], message: `not under an allowed org; add ${t.split(":")[0]} to auth.github.organizations` });
  });
  return [...problems, ...checkMembers(d)];
}

function checkMembers(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const orgs = new Set((d.auth.github?.organizations ?? []).map((o) => o.toLowerCase()));
  const archives = d.auth.archives.map((a) => a.name);
  for (const [name, g] of Object.entries(d.groups)) {
    const at = (...rest: (string | number)[]) => ["groups", name, ...rest];
    const m = g.members;
    if (!m.github.length && !m.archives.length && !m.users.length) problems.push({ path: at("members"), message: "name at least one source: github, archives or users" });
    m.github.forEach((entry, i) => {
      if (!d.auth.github) {
        problems.push({ path: at("members", "github", i), message: "GitHub membership needs auth.github" });
      } else if (!orgs.has(entry.split(":")[0].toLowerCase())) {
        problems.push({ path: at("members", "github", i), message: `not under an allowed org; add ${entry.split(":")[0]} to auth.github.organizations (allowed: ${[...orgs].join(", ") || "none"})` });
      }
    });
    m.overlaps.forEach((other, i) => {
      if (!d.groups[other] || other === name) problems.push({ path: at("members", "overlaps", i), message: `no other group of that name; groups: ${Object.keys(d.groups).filter((k) => k !== name).join(", ")}` });
    });
    problems.push(...orgOverlaps(d, name));
    m.archives.forEach((a, i) => {
      if (!archives.includes(a)) {
        const guess = closest(a, archives);
        problems.push({ path: at("members", "archives", i), message: `no archive of that name${guess ? ` (did you mean ${guess}?)` : ""}; defined in auth.archives: ${archives.join(", ") || "none"}` });
      }
    });
  }
  return problems;
}

/**
 * A group that admits a whole GitHub org also admits every member of every team of that org, so
 * another group gated on such a team is silently part of it (its members get this group's
 * storage, profiles and budget too). Refused unless the group lists the other in `overlaps`.
 */
function orgOverlaps(d: Deployment, name: string): ConfigProblem[] {
  const g = d.groups[name];
  const problems: ConfigProblem[] = [];
  g.members.github.forEach((entry, i) => {
    if (entry.includes(":")) return;
    const org = entry.toLowerCase();
    for (const [other, h] of Object.entries(d.groups)) {
      if (other === name || g.members.overlaps.includes(other)) continue;
      const team = h.members.github.find((e) => e.includes(":") && e.split(":")[0].toLowerCase() === org);
      if (!team) continue;
      problems.push({
        path: ["groups", name, "members", "github", i],
        message:
          `admits the whole GitHub org ${entry}, so every member of ${team} (group ${other}) is also in ${name}: its homes, shared directory, profiles and budget. ` +
          `Gate ${name} on a team instead ("${entry}:<team>"), or, if that is intended, add ${other} to groups.${name}.members.overlaps`,
      });
    }
  });
  return problems;
}
