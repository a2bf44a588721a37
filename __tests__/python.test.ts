/**
 * The hub's Python: its unit tests (python3 -m unittest, stand-in objects, no JupyterHub
 * needed) run as part of the main test command, and the Python reads what synth writes.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { hubSettings, releaseValues, ROOT, synth } from "./helpers";
import { askHub, python } from "./hub-python";

describe("hub Python", () => {
  for (const [dir, atLeast] of [["hub", 100], ["jobs", 25], ["services", 6]] as const) {
    it(`${dir}/: unit tests pass (python3 -m unittest discover, stand-in objects only)`, () => {
      const r = python(["-m", "unittest", "discover", "-s", "tests", "-t", "."], join(ROOT, dir));
      expect(r.status, r.stderr).toBe(0);
      expect(Number(/Ran (\d+) tests/.exec(r.stderr)?.[1])).toBeGreaterThanOrEqual(atLeast);
      expect(r.stderr).toMatch(/\nOK\n?$/);
    });
  }

  it("every module compiles on this Python", () => {
    // compile() without writing .pyc files into the tree
    const r = python(["-c", "import glob\nfor f in sorted(glob.glob('hub/dandihub_hub/*.py') + glob.glob('jobs/dandihub_jobs/*.py') + glob.glob('services/*/*.py')) + ['hub/extra_config.py']:\n    compile(open(f).read(), f, 'exec')"], ROOT);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("reads the synthesized settings: each group sees exactly the profiles it was granted", () => {
    const settings = hubSettings(releaseValues(synth("config/dandi.yaml").tf, "jupyterhub_chart_release"));
    const offered = askHub(settings, "{g: [p['slug'] for p in profiles_for(s, [g])] for g in s['groupOrder']}");
    expect(offered).toEqual({
      dandi: ["tiny", "base", "medium", "large", "gpu-t4"],
      linc: ["tiny", "base", "medium"],
      bican: ["tiny", "base", "medium"],
      ember: ["tiny", "base"],
      workshop: ["tiny", "base"],
    });
    expect(askHub(settings, "[p['slug'] for p in profiles_for(s, [])]")).toEqual([]);
  });

  it("places a user in two groups on the pool of the group they pick", () => {
    const settings = hubSettings(releaseValues(synth("config/dandi.yaml").tf, "jupyterhub_chart_release"));
    const pick = (group: string) =>
      askHub(settings, `[selection(s, 'u', ['linc', 'workshop'], {'profile': 'base', 'group': '${group}'})[1], s['groups']['${group}']['profiles']['base']['pool']]`);
    expect(pick("linc")).toEqual(["linc", "linc-cpu-spot"]);
    expect(pick("workshop")).toEqual(["workshop", "workshop-cpu-on-demand"]);
  });

  it("maps only configured teams to groups", () => {
    const settings = hubSettings(releaseValues(synth("config/dandi.yaml").tf, "jupyterhub_chart_release"));
    expect(askHub(settings, "groups_for(s, 'bob', teams={('brain-bican', 'kbhub-users'), ('brain-bican', 'other')})")).toEqual(["bican"]);
    // A workshop participant is a dandi org member, and is in the workshop group only.
    expect(askHub(settings, "groups_for(s, 'bob', teams={('dandi', 'workshop-participants')}, orgs={'dandi'})")).toEqual(["workshop"]);
    expect(askHub(settings, "groups_for(s, 'bob', teams={('dandi', 'dandihub-users'), ('dandi', 'workshop-participants')}, orgs={'dandi'})")).toEqual(["dandi", "workshop"]);
  });
});
