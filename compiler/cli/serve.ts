/**
 * `polc serve`: compiles a library and serves it over HTTP (service/server.ts) until SIGINT or
 * SIGTERM. It binds to loopback unless told otherwise; a token comes from --token or, so that it
 * is not in the process list, from POLC_TOKEN.
 */
import type { Policy } from "../../runtime/policy.js";
import { buildService, isLoopback } from "../../service/server.js";

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly token?: string;
}

/** Reads --port: a whole number from 0 (any free port) to 65535. */
export function portOf(text: string): number | undefined {
  const n = Number(text);
  return /^\d+$/.test(text) && n <= 65535 ? n : undefined;
}

export async function serve(policies: ReadonlyMap<string, Policy>, options: ServeOptions, io: { out: (t: string) => void; err: (t: string) => void }): Promise<number> {
  const app = await buildService({ policies, token: options.token, log: (line) => io.err(line) });
  if (!isLoopback(options.host) && options.token === undefined) io.err(`polc serve: listening on ${options.host} without a token: anyone who can reach it can evaluate cases (give --token or POLC_TOKEN)`);
  let address: string;
  try {
    address = await app.listen({ port: options.port, host: options.host });
  } catch (e) {
    io.err(`polc: cannot listen on ${options.host}:${options.port}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return 2;
  }
  io.out(`polc serve: ${policies.size} ${policies.size === 1 ? "policy" : "policies"} on ${address}${options.token !== undefined ? " (bearer token required)" : ""}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await app.close();
  io.out("polc serve: stopped");
  return 0;
}
