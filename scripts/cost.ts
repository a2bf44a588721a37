import { runCost } from "../src/features/cost/cli";

process.exitCode = runCost(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
