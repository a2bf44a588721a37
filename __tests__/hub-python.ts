/** Running the hub's Python from tests. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./helpers";

export function python(args: string[], cwd = join(ROOT, "hub")) {
  return spawnSync("python3", args, { cwd, encoding: "utf8", env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
}

/** Runs dandihub_hub functions on a synthesized settings file; returns their JSON answer. */
export function askHub(settings: object, expression: string): unknown {
  const file = join(mkdtempSync(join(tmpdir(), "dandihub-settings-")), "settings.json");
  writeFileSync(file, JSON.stringify(settings));
  const program = [
    "import json, sys",
    "from dandihub_hub.settings import load_settings",
    "from dandihub_hub.profiles import NotOffered, profiles_for, selection",
    "from dandihub_hub.membership import groups_for",
    "s = load_settings(sys.argv[1])",
    // attempt(f, *args): "ok", or the HTTP status the hub would answer with.
    "def attempt(f, *a):\n    try:\n        f(*a)\n        return 'ok'\n    except NotOffered as e:\n        return e.status",
    `print(json.dumps(${expression}))`,
  ].join("\n");
  const r = python(["-c", program, file]);
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}
