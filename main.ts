/**
 * Synthesizes one Terraform stack per deployment file.
 *
 *   npx tsx main.ts                      every config/*.yaml
 *   npx tsx main.ts config/dandi.yaml    only the files named
 *   DANDIHUB_CONFIG=config/a.yaml,config/b.yaml cdktf synth
 *
 * cdktf.json and `npm run synth` start it as `node --import tsx main.ts`: tsx's own command runs
 * the script in a second Node process, and npx looks tsx up first, a second more per synth.
 *
 * Every file is loaded and validated before anything is written; on any problem the errors are
 * printed (file:line:col, field, value, what is allowed), cdktf.out is left untouched, and the
 * process exits 1.
 */
import { exitWhenFlushed } from "./src/core/fast-start";
import { loadApp } from "./src/core/bundle";

exitWhenFlushed(loadApp<typeof import("./src/app")>().synthesize(process.argv.slice(2), process.env));
