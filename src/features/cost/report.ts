/** The estimate as a readable text report (the CLI prints it; --json prints the Estimate). */
import { BUSY, type Estimate } from "./estimate";

const usd = (x: number, digits = 2) => `$${x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;

/** Left-aligned text columns, right-aligned money columns. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly number[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function renderEstimate(e: Estimate): string {
  const out: string[] = [];
  out.push(`Cost estimate for ${e.deployment} (${e.region}; ${e.priceRegion} list prices, USD)`, "");
  out.push("Idle floor: nobody logged in, every month", "");
  out.push(table(["item", "quantity", "monthly"], [...e.idle.items.map((i) => [i.item, i.quantity, usd(i.monthlyUsd)]), ["total", "", usd(e.idle.monthlyUsd)]], [2]));
  out.push("", `One server per hour: alone, and with ${BUSY} at once (packed on the cheapest nodes that hold them)`, "");
  out.push(
    table(
      ["profile", "capacity", "alone $/h", "on", `${BUSY} at once $/h`, "on"],
      e.profiles.map((r) => [r.profile, r.capacity, usd(r.alone.usdPerServerHour, 4), r.alone.type, usd(r.busy.usdPerServerHour, 4), `${r.busy.nodes} x ${r.busy.type}`]),
      [2, 4],
    ),
  );
  out.push("", "Time to a notebook, modelled (help/cost.md, Time to a notebook): on a node that is up, and on a new one", "");
  out.push(table(["profile", "node up", "new node", "pulled on a new node"], e.startTimes.map((t) => [t.profile, `${t.warmSeconds} s`, `${t.coldSeconds} s`, `${t.coldPullGB} GB`]), [1, 2, 3]));
  out.push("", "Per group, per month (server hours from cost.usage or --usage; storage is the group's own volume)", "");
  const rows: string[][] = [];
  for (const g of e.groups) {
    rows.push([g.group, "storage", "", "", "", usd(g.storageMonthlyUsd)]);
    for (const l of g.usage) rows.push(["", `${l.profile} (${l.capacity}${l.warm ? ", warm" : ""})`, `${l.users} x ${l.hoursPerMonth} h`, String(l.concurrent), usd(l.usdPerServerHour, 4), usd(l.monthlyUsd)]);
    rows.push(["", "total", "", "", "", usd(g.monthlyUsd)]);
  }
  out.push(table(["group", "what", "users x hours", "at once", "$/server-h", "monthly"], rows, [3, 4, 5]));
  out.push("", "Per group: with nobody on, with the expected use, and with every pool full to its limits all month", "");
  out.push(
    table(
      ["group", "idle", "expected", "at its limits", "budget", "expected / budget"],
      e.groups.map((g) => [g.group, usd(g.storageMonthlyUsd), usd(g.monthlyUsd), usd(g.atLimitsMonthlyUsd), g.budget ? usd(g.budget.monthlyUsd, 0) : "-", g.budget ? `${Math.round((100 * g.monthlyUsd) / g.budget.monthlyUsd)}%` : "-"]),
      [1, 2, 3, 4, 5],
    ),
  );
  const budgets = e.groups.filter((g) => g.budget);
  if (budgets.length) {
    out.push("", `What a group's budget buys (server-hours of one profile at the ${BUSY}-at-once rate, after its storage)`, "");
    out.push(
      table(
        ["group", "budget", "server-hours within it"],
        budgets.map((g) => [g.group, usd(g.budget!.monthlyUsd, 0), Object.entries(g.budget!.serverHoursWithin).map(([p, h]) => `${p} ${h.toLocaleString("en-US")}`).join(", ")]),
        [1],
      ),
    );
  }
  out.push("", `Total with the usage above: ${usd(e.monthlyUsd)} per month`, "");
  for (const n of e.notes) out.push(`- ${n}`);
  return `${out.join("\n")}\n`;
}
