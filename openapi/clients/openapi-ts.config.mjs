// @hey-api/openapi-ts configuration for the TypeScript client: `make clients` (openapi/clients/generate.py) runs it
// with FACTMARK_OPENAPI and FACTMARK_TS_OUT; the defaults write build/clients/ts from openapi/openapi.json.
import { fileURLToPath } from "node:url";

import { defineConfig } from "@hey-api/openapi-ts";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  input: process.env.FACTMARK_OPENAPI ?? here("../openapi.json"),
  output: {
    path: process.env.FACTMARK_TS_OUT ?? here("../../build/clients/ts"),
    // module "nodenext" in this tsconfig makes the generated imports end in ".js", so plain Node runs the
    // compiled output.
    tsConfigPath: here("./tsconfig.json"),
  },
  logs: { file: false },
  plugins: ["@hey-api/client-fetch", "@hey-api/typescript", "@hey-api/sdk"],
});
