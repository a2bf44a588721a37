/** npm run schema: writes schema/deployment.schema.json and help/deployment-file.md from src/config/schema.ts. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderReference } from "../src/config/reference";
import { deploymentJsonSchema } from "../src/config/schema";

const root = join(__dirname, "..");
const schema = deploymentJsonSchema();
writeFileSync(join(root, "schema", "deployment.schema.json"), `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync(join(root, "help", "deployment-file.md"), renderReference(schema));
process.stdout.write("wrote schema/deployment.schema.json and help/deployment-file.md\n");
