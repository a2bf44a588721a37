/**
 * The hub's Python (hub/dandihub_hub/*.py, hub/extra_config.py) goes into the chart values as
 * it is in the repository: each module a `hub.extraFiles` entry mounted into one package
 * directory, extra_config.py as `hub.extraConfig`. The settings file is mounted beside them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoPath } from "../../core/paths";

/** Where the package and settings.json are mounted in the hub pod (also in extra_config.py and settings.py). */
export const HUB_PYTHON_DIR = "/usr/local/etc/jupyterhub/dandihub";
export const HUB_SOURCE_DIR = repoPath("hub");
export const PACKAGE = "dandihub_hub";

export interface ExtraFile {
  readonly mountPath: string;
  readonly stringData: string;
}

/** The package's modules, one extraFiles entry each (tests excluded). */
export function hubPackageFiles(): Record<string, ExtraFile> {
  const dir = join(HUB_SOURCE_DIR, PACKAGE);
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith(".py"))
      .sort()
      .map((f) => [`dandihub-py-${f.replace(/\.py$/, "").replace(/^_+|_+$/g, "").replace(/_/g, "-")}`, { mountPath: `${HUB_PYTHON_DIR}/${PACKAGE}/${f}`, stringData: readFileSync(join(dir, f), "utf8") }]),
  );
}

/** extraConfig entries, run by the hub in key order. */
export function hubExtraConfig(): Record<string, string> {
  return { "50-dandihub": readFileSync(join(HUB_SOURCE_DIR, "extra_config.py"), "utf8") };
}

export function settingsFile(settings: object): ExtraFile {
  return { mountPath: `${HUB_PYTHON_DIR}/settings.json`, stringData: `${JSON.stringify(settings, null, 1)}\n` };
}
