// graphql-codegen: TypeScript types for every schema type, from the
// committed schema, with strict scalars. Output is ignored (see .gitignore);
// codegen-check.mjs compiles it with `tsc --noEmit --strict`.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  generates: {
    "generated/schema-types.ts": {
      plugins: ["typescript"],
      config: {
        strictScalars: true,
        scalars: { Date: "string", DateTime: "string", JSON: "unknown" },
      },
    },
  },
  errorsOnly: true,
};

export default config;
