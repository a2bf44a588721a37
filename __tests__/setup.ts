/** Runs in every test worker before the test files: synthesis there skips CDKTF's token stack traces as the app does. */
import { skipTokenStackTraces } from "../src/core/stack-traces";

skipTokenStackTraces();
