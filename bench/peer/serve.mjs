// The performance peer: PostGraphile 5 in one node process on Portalen's own
// PostgreSQL database (schema public), as bench/run starts it:
//
//   PEER_DATABASE_URL=postgres://... PEER_PORT=5678 node serve.mjs
//
// No authentication, no row security, no audit: the bare engine, an
// optimistic peer. PEER_POOL_MAX sets node-postgres' pool (20 by default,
// because 64 concurrent requests need more than its default of 10).
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const port = Number(process.env.PEER_PORT || 5678);
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.PEER_DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.PEER_POOL_MAX || 20) },
    }),
  ],
  grafserv: { host: "127.0.0.1", port, graphqlPath: "/graphql", graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.keepAliveTimeout = 65_000;
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
await serv.addTo(server, false);
server.listen(port, "127.0.0.1", () => console.log(`peer on http://127.0.0.1:${port}/graphql`));
process.on("SIGTERM", async () => {
  server.close();
  await pgl.release();
  process.exit(0);
});
