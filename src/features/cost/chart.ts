/**
 * `npm run cost -- <file> --svg FILE`: the estimate as a picture an operator would rather read.
 * Left: each group's month, idle (its storage) and expected use stacked, against its budget.
 * Right: the monthly cost of each used profile against the number of users (at the hours of its
 * usage line), which shows at once whether cost grows smoothly or jumps. Every drawn number is
 * also an attribute (data-*), so a test reads the chart back against the table.
 */
import type { HubConfig } from "../../config/resolve";
import { nodeDiskOf, usageRate, type Estimate } from "./estimate";

const W = 960;
const H = 420;
const PAD = 50;
const esc = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
const money = (x: number) => `$${Math.round(x).toLocaleString("en-US")}`;

/** Monthly cost of a profile's line at 1..maxUsers users, hours and concurrency as in its usage. */
export function costCurve(config: HubConfig, e: Estimate, group: string, profile: string, maxUsers: number): { users: number; monthlyUsd: number }[] {
  const g = e.groups.find((x) => x.group === group)!;
  const line = g.usage.find((l) => l.profile === profile)!;
  const p = config.profiles.find((x) => x.key === profile)!;
  const disk = nodeDiskOf(config, profile, group);
  const concurrent = config.cost.usage[group]?.[profile]?.concurrent;
  return Array.from({ length: maxUsers }, (_, i) => {
    const users = i + 1;
    const rate = usageRate(p, line.capacity, disk, e.spot, { users, hoursPerMonth: line.hoursPerMonth, concurrent });
    return { users, monthlyUsd: Math.round(users * line.hoursPerMonth * (rate?.usdPerServerHour ?? 0) * 100) / 100 };
  });
}

export function renderChart(config: HubConfig, e: Estimate, maxUsers = 50): string {
  const half = W / 2;
  const parts: string[] = [];
  // Left: stacked bars against budget.
  const top = Math.max(1, ...e.groups.map((g) => Math.max(g.monthlyUsd, g.budget?.monthlyUsd ?? 0)));
  const barW = (half - 2 * PAD) / Math.max(1, e.groups.length);
  const y = (v: number) => H - PAD - ((H - 2 * PAD) * v) / top;
  parts.push(`<text x="${PAD}" y="24" font-size="14">Per group, per month: idle and expected use, against budget</text>`);
  e.groups.forEach((g, i) => {
    const x = PAD + i * barW + 4;
    const usage = Math.round((g.monthlyUsd - g.storageMonthlyUsd) * 100) / 100;
    parts.push(
      `<g class="group" data-group="${esc(g.group)}" data-idle="${g.storageMonthlyUsd}" data-usage="${usage}" data-budget="${g.budget?.monthlyUsd ?? ""}">`,
      `<rect x="${x}" y="${y(g.storageMonthlyUsd)}" width="${barW - 8}" height="${y(0) - y(g.storageMonthlyUsd)}" fill="#9ab"/>`,
      `<rect x="${x}" y="${y(g.monthlyUsd)}" width="${barW - 8}" height="${y(g.storageMonthlyUsd) - y(g.monthlyUsd)}" fill="#357"/>`,
      ...(g.budget ? [`<line x1="${x - 2}" x2="${x + barW - 6}" y1="${y(g.budget.monthlyUsd)}" y2="${y(g.budget.monthlyUsd)}" stroke="#c33" stroke-width="2"/>`] : []),
      `<text x="${x}" y="${H - PAD + 16}" font-size="11">${esc(g.group)}</text>`,
      `<text x="${x}" y="${y(g.monthlyUsd) - 4}" font-size="10">${money(g.monthlyUsd)}</text>`,
      "</g>",
    );
  });
  // Right: cost against users, one line per group's profile.
  const curves = e.groups.flatMap((g) => g.usage.map((l) => ({ group: g.group, profile: l.profile, points: costCurve(config, e, g.group, l.profile, maxUsers) })));
  const cTop = Math.max(1, ...curves.flatMap((c) => c.points.map((p) => p.monthlyUsd)));
  const cx = (u: number) => half + PAD + ((half - 2 * PAD) * (u - 1)) / Math.max(1, maxUsers - 1);
  const cy = (v: number) => H - PAD - ((H - 2 * PAD) * v) / cTop;
  const colors = ["#357", "#c63", "#393", "#939", "#c33", "#399"];
  parts.push(`<text x="${half + PAD}" y="24" font-size="14">Monthly cost against users (1-${maxUsers}), per profile</text>`);
  curves.forEach((c, i) => {
    const d = c.points.map((p) => `${cx(p.users).toFixed(1)},${cy(p.monthlyUsd).toFixed(1)}`).join(" ");
    parts.push(
      `<g class="curve" data-group="${esc(c.group)}" data-profile="${esc(c.profile)}" data-costs="${c.points.map((p) => p.monthlyUsd).join(" ")}">`,
      `<polyline points="${d}" fill="none" stroke="${colors[i % colors.length]}" stroke-width="2"/>`,
      `<text x="${cx(maxUsers) - 90}" y="${cy(c.points[c.points.length - 1].monthlyUsd) - 4}" font-size="10" fill="${colors[i % colors.length]}">${esc(`${c.group}: ${c.profile}`)}</text>`,
      "</g>",
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<title>Cost estimate for ${esc(e.deployment)}</title>`,
    `<line x1="${PAD}" y1="${H - PAD}" x2="${half - PAD}" y2="${H - PAD}" stroke="#000"/>`,
    `<line x1="${half + PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#000"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
