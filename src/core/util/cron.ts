/**
 * Cron fields checked against their ranges: Kubernetes CronJobs (five fields, names for months and
 * days allowed) and AWS Backup's six-field `cron(...)`, which the API checks only at apply.
 */
const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { name: "day of week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
] as const;

type Field = { readonly name: string; readonly min: number; readonly max: number; readonly names?: readonly string[] };

function valueOf(text: string, f: Field, offset: number): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const i = f.names?.indexOf(text.toLowerCase()) ?? -1;
  return i >= 0 ? i + offset : undefined;
}

/** What is wrong with one field, or undefined. `extra` are tokens the dialect adds (AWS's `?`, `L`, `W`, `#`). */
function fieldProblem(text: string, f: Field, extra: RegExp | undefined): string | undefined {
  const offset = f.name === "month" ? 1 : 0;
  for (const part of text.split(",")) {
    if (extra?.test(part)) continue;
    const [range, step] = part.split("/");
    if (step !== undefined && !/^[1-9][0-9]*$/.test(step)) return `${f.name} step "${step}" is not a positive number`;
    if (range === "*") continue;
    const [a, b] = range.split("-");
    const lo = valueOf(a, f, offset);
    const hi = b === undefined ? lo : valueOf(b, f, offset);
    if (lo === undefined || hi === undefined) return `${f.name} "${part}" is not a number${f.names ? " or a name" : ""}`;
    if (lo < f.min || hi > f.max) return `${f.name} ${part} is outside ${f.min}-${f.max}`;
    if (lo > hi) return `${f.name} range ${range} runs backwards`;
  }
  return undefined;
}

/** A five-field Kubernetes schedule's problem, or undefined. */
export function cronProblem(schedule: string): string | undefined {
  const parts = schedule.trim().split(/\s+/);
  if (parts.length !== 5) return `has ${parts.length} fields, needs 5`;
  for (let i = 0; i < 5; i++) {
    const p = fieldProblem(parts[i], FIELDS[i], undefined);
    if (p) return p;
  }
  return undefined;
}

/** AWS's `cron(minute hour day-of-month month day-of-week year)`, one of the two days being `?`. */
export function awsCronProblem(expression: string): string | undefined {
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  if (!m) return "not cron(...)";
  const parts = m[1].trim().split(/\s+/);
  if (parts.length !== 6) return `has ${parts.length} fields inside cron(...), needs 6 (minute hour day-of-month month day-of-week year)`;
  const [min, hour, dom, month, dow, year] = parts;
  if ((dom === "?") === (dow === "?")) return "exactly one of day-of-month and day-of-week must be ?";
  const aws: Field[] = [FIELDS[0], FIELDS[1], FIELDS[2], FIELDS[3], { name: "day of week", min: 1, max: 7, names: FIELDS[4].names }];
  const extra = /^(\?|L|[0-9]*W|[0-9]#[1-5]|[0-9]L)$/;
  for (const [text, f] of [[min, aws[0]], [hour, aws[1]], [dom, aws[2]], [month, aws[3]], [dow, aws[4]]] as const) {
    const p = fieldProblem(text, f, extra);
    if (p) return p;
  }
  if (year !== "*" && !/^[0-9]{4}(-[0-9]{4})?(\/[0-9]+)?$/.test(year)) return `year "${year}" is not * or a year`;
  return undefined;
}
