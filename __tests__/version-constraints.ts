/** Terraform version constraints: `>= 6.0, < 7.0`, `~> 2.17`, `= 1.2.3`, `!= 1.0`. */

function parts(v: string): number[] {
  const p = v.trim().replace(/^v/, "").split("-")[0].split(".").map(Number);
  while (p.length < 3) p.push(0);
  return p;
}

export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** Whether `version` satisfies one comma-separated constraint string. */
export function satisfies(version: string, constraint: string): boolean {
  return constraint.split(",").every((clause) => {
    const m = /^\s*(>=|<=|~>|!=|=|>|<)?\s*([0-9][0-9A-Za-z.-]*)\s*$/.exec(clause);
    if (!m) throw new Error(`cannot read constraint "${clause}"`);
    const op = m[1] ?? "=";
    const target = m[2];
    const c = compareVersions(version, target);
    switch (op) {
      case "=":
        return c === 0;
      case "!=":
        return c !== 0;
      case ">":
        return c > 0;
      case ">=":
        return c >= 0;
      case "<":
        return c < 0;
      case "<=":
        return c <= 0;
      case "~>": {
        // ~> X.Y allows >= X.Y, < (X+1).0; ~> X.Y.Z allows >= X.Y.Z, < X.(Y+1).0
        const given = target.split(".").length;
        const t = parts(target);
        const upper = given <= 2 ? `${t[0] + 1}.0.0` : `${t[0]}.${t[1] + 1}.0`;
        return c >= 0 && compareVersions(version, upper) < 0;
      }
    }
    return false;
  });
}

/** Whether every version allowed by `floor` (a `>= X` constraint) also satisfies `constraint`. */
export function floorImplies(floor: string, constraint: string): boolean {
  const m = /^\s*>=\s*([0-9.]+)\s*$/.exec(floor);
  if (!m) throw new Error(`not a floor: ${floor}`);
  const c = /^\s*>=\s*([0-9.]+)\s*$/.exec(constraint);
  if (!c) throw new Error(`only floors are compared: ${constraint}`);
  return compareVersions(m[1], c[1]) >= 0;
}
