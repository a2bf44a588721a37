/**
 * The handbook: the runbooks the operators need exist, every link between pages resolves, every
 * command uses a tool an operator has, and the commands that work offline are run.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { synthesize } from "../src/app";
import { runCost } from "../src/features/cost/cli";
import { ROOT } from "./helpers";

const HELP = join(ROOT, "help");
const pages = () => [...readdirSync(HELP).filter((f) => f.endsWith(".md")).map((f) => join("help", f)), "README.md"];
const read = (p: string) => readFileSync(join(ROOT, p), "utf8");

/** GitHub's anchor for a heading. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-");
}

/** Shell commands of a page's sh/bash blocks: continuation lines joined, heredoc bodies attached, comments dropped. */
export function commands(markdown: string): string[] {
  const out: string[] = [];
  for (const block of markdown.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
    const lines = block[1].split("\n");
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i].trim();
      if (!line || line.startsWith("#")) continue;
      while (line.endsWith("\\") && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i].trim()}`;
      const heredoc = /<<\s*'?(\w+)'?/.exec(line);
      if (heredoc) while (i + 1 < lines.length && lines[++i].trim() !== heredoc[1]);
      out.push(line.replace(/\s+#.*$/, "").trim());
    }
  }
  return out;
}

/** Tools the handbook may tell an operator to run. */
const TOOLS = new Set(["npm", "npx", "aws", "kubectl", "terraform", "tar", "export", "git", "python3"]);

describe("the handbook", () => {
  it("has a runbook for every task operators asked for", () => {
    const all = pages().map(read).join("\n");
    const headings = [...all.matchAll(/^#{2,3} (.*)$/gm)].map((m) => m[1].toLowerCase());
    for (const task of [
      "add a community",
      "add a profile or an image",
      "grant gpus",
      "rotating secrets",
      "upgrade kubernetes",
      "upgrade the jupyterhub chart",
      "restore one user's home",
      "6. terraform cloud",
      "7. hand plain terraform to someone else",
      "tear down and keep the data",
      "who has kubectl",
      "add a group",
      "remove a group",
      "reorder groups",
      "rename a group",
      "group keys are permanent",
      "change instance families",
      "change a home quota",
      "grow a volume",
      "storage node maintenance",
      "tear down everything",
      "pin images to digests",
      "the node ami",
      "eks add-ons",
      "move a user whose github login changed",
    ]) {
      expect(headings, task).toContain(task);
    }
    expect(read("help/architecture.md")).toContain("One way, from a deployment file to Terraform");
  });

  it("every link to another page (and its section) resolves", () => {
    for (const page of pages()) {
      const dir = page.includes("/") ? page.slice(0, page.lastIndexOf("/")) : ".";
      for (const m of read(page).matchAll(/\]\(([^)#\s]+\.md)(#[^)]+)?\)/g)) {
        const target = join(dir, m[1]);
        expect(existsSync(join(ROOT, target)), `${page} -> ${m[1]}`).toBe(true);
        if (m[2]) {
          const anchors = [...read(target).matchAll(/^#{1,4} (.*)$/gm)].map((h) => `#${anchor(h[1])}`);
          expect(anchors, `${page} -> ${m[1]}${m[2]}`).toContain(m[2]);
        }
      }
      for (const m of read(page).matchAll(/\]\((#[^)]+)\)/g)) {
        const anchors = [...read(page).matchAll(/^#{1,4} (.*)$/gm)].map((h) => `#${anchor(h[1])}`);
        expect(anchors, `${page} -> ${m[1]}`).toContain(m[1]);
      }
    }
  });

  it("every command starts with a tool operators have", () => {
    for (const page of pages()) {
      for (const cmd of commands(read(page))) {
        const tool = cmd.split(/\s+/)[0].replace(/^[A-Z_]+=.*/, "export");
        expect(TOOLS.has(tool) || /^[A-Z_]+=\$\(/.test(cmd), `${page}: ${cmd}`).toBe(true);
      }
    }
  });

  it("runs the commands that work offline: synth and the cost estimate", () => {
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    const ran: string[] = [];
    const outdir = join(mkdtempSync(join(tmpdir(), "dandihub-handbook-")), "cdktf.out");
    for (const page of pages()) {
      for (const cmd of commands(read(page))) {
        for (const part of cmd.split("&&").map((s) => s.trim().replace(/<name>/g, "minimal"))) {
          const npm = /^npm run (?:-s )?([\w:]+)(?: -- (.*))?$/.exec(part);
          const tsx = /^npx tsx main\.ts(.*)$/.exec(part);
          let code: number | undefined;
          // A chart the page writes goes to a scratch directory, not the repository.
          // The spot prices a page writes with the aws CLI (not offline): a response of the same shape.
          const args = (npm?.[2] ?? "").replace(/--svg (\S+)/, (_m, f: string) => `--svg ${join(outdir, "..", f)}`).replace(/--spot-prices \S+/, `--spot-prices ${join(ROOT, "__tests__/fixtures/spot-price-history.json")}`);
          if (npm && npm[1] === "cost") code = runCost(args.split(/\s+/).filter(Boolean), () => {}, () => {});
          else if (npm && (npm[1] === "synth" || npm[1] === "synth:all")) {
            const args = scripts[npm[1]].replace(/^(?:node --import )?tsx main\.ts\s*/, "").split(/\s+/).filter(Boolean);
            code = synthesize(args, { ...process.env, CDKTF_OUTDIR: outdir });
          } else if (tsx) code = synthesize(tsx[1].split(/\s+/).filter(Boolean), { ...process.env, CDKTF_OUTDIR: outdir });
          else continue;
          expect(code, `${page}: ${part}`).toBe(0);
          ran.push(part);
        }
      }
    }
    expect(ran.length).toBeGreaterThanOrEqual(8);
    expect(existsSync(join(outdir, "stacks", "dandi", "cdk.tf.json"))).toBe(true);
  });
});
