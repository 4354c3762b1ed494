/**
 * `polc serve` for real: the service listens on a loopback port and is called with fetch. Every
 * answer is checked as a client reads it: statuses, JSON bodies, the request id echoed, the field
 * paths of `polc eval`, and what never appears (the values a client sent, in an error or the log).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { buildService } from "../../service/server.js";
import { compileFiles } from "../../compiler/compile.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { evaluate } from "../../runtime/determine.js";
import { inputSchema, originKeyword, schemaOrigin } from "../../json-schema/index.js";
import { reviewDecisionSchema } from "../../json-schema/review.js";

const policies = loadPolicies(compileFiles(polFilesUnder("policies")));
const meets = JSON.parse(readFileSync("test/cases/nia-cg-300/acute-radicular-meets.json", "utf8")) as { input: Record<string, unknown> };
const token = "s3cret-token-for-tests-0123456789";

interface Running {
  app: FastifyInstance;
  base: string;
  log: string[];
}

async function start(options: { token?: string; bodyLimit?: number } = {}): Promise<Running> {
  const log: string[] = [];
  const app = await buildService({ policies, log: (line) => log.push(line), ...options });
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, base: address, log };
}

let open: Running;
let secured: Running;
beforeAll(async () => {
  open = await start({ bodyLimit: 64 * 1024 });
  secured = await start({ token });
});
afterAll(async () => {
  await open.app.close();
  await secured.app.close();
});

async function call(path: string, init: RequestInit = {}, on: Running = open): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${on.base}${path}`, init);
  const text = await response.text();
  expect(response.headers.get("content-type"), path).toMatch(/^application\/json/);
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as Record<string, unknown> };
}

const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }): RequestInit => ({ method: "POST", headers, body });

describe("polc serve", () => {
  it("answers a health check", async () => {
    expect(await call("/health")).toMatchObject({ status: 200, body: { status: "ok", policies: 9 } });
  });

  it("lists every policy with its metadata, the digest of its input and its links", async () => {
    const { status, body } = await call("/policies");
    expect(status).toBe(200);
    const list = body.policies as Record<string, unknown>[];
    expect(list.map((p) => p.id)).toEqual([...policies.keys()]);
    const p300 = list.find((p) => p.id === "NIA_CG_300")!;
    expect(p300).toMatchObject({
      title: "Epidural Spine Injections",
      version: "2024",
      guideline: "NIA_CG_300",
      inputDigest: schemaOrigin(policies.get("NIA_CG_300")!).inputDigest,
      links: { determinations: "/policies/NIA_CG_300/determinations", inputSchema: "/policies/NIA_CG_300/input.schema.json" },
    });
    expect((p300.cpt as { codes: string[] }[]).flatMap((c) => c.codes)).toContain("64483");
  });

  it("gives one policy's facts and schemas, and each schema at its own address", async () => {
    const { body } = await call("/policies/NIA_CG_300");
    expect((body.facts as { path: string }[]).map((f) => f.path)).toEqual(policies.get("NIA_CG_300")!.facts.map((f) => f.path));
    expect(body.inputSchema).toEqual(JSON.parse(JSON.stringify(inputSchema(policies.get("NIA_CG_300")!))));
    expect((await call("/policies/NIA_CG_300/input.schema.json")).body).toEqual(body.inputSchema);
    expect(((await call("/policies/NIA_CG_300/determination.schema.json")).body[originKeyword] as { version: string }).version).toBe("2024");
    expect(await call("/policies/NIA_CG_999")).toMatchObject({ status: 404, body: { error: { status: 404, code: "no-such-policy", message: "no policy 'NIA_CG_999' (GET /policies lists them)" } } });
  });

  it("evaluates a case and gives the determination the library gives, with its state and trace, and the client's request id", async () => {
    const { status, headers, body } = await call("/policies/NIA_CG_300/determinations", post(JSON.stringify({ input: meets.input, state: "wa" }), { "content-type": "application/json", "x-request-id": "req-0042" }));
    expect(status).toBe(200);
    expect(headers.get("x-request-id")).toBe("req-0042");
    const expected = JSON.parse(JSON.stringify(evaluate(policies.get("NIA_CG_300")!, meets.input, { state: "WA" }))) as Record<string, unknown>;
    expect(body).toEqual({ requestId: "req-0042", ...expected });
    expect([body.outcome, body.state, (body.trace as unknown[]).length > 0]).toEqual(["meets", "WA", true]);
    const quick = await call("/policies/NIA_CG_300/determinations", post(JSON.stringify({ input: meets.input, trace: false, id: "case-9" })));
    expect([quick.body.trace, typeof quick.body.requestId, quick.headers.get("x-request-id"), quick.body.id]).toEqual([[], "string", quick.body.requestId, "case-9"]);
  });

  it("names each field of a case that does not match the policy's input, with the paths polc eval prints, never the values sent", async () => {
    const secretValue = "PATIENT-NAME-Jane-Doe";
    const input = { ...meets.input, pain: { average: 11, mood: 3 }, request: { region: secretValue }, prior_procedures: [{ kind: "epidural_injection" }] };
    const { status, body } = await call("/policies/NIA_CG_300/determinations", post(JSON.stringify({ input })));
    expect(status).toBe(422);
    expect(body).toEqual({
      error: {
        status: 422,
        code: "input-does-not-match",
        message: "the case does not match NIA_CG_300's input",
        problems: [
          { path: "input.request.region", message: "expected one of cervical, thoracic, lumbar, sacral" },
          { path: "input.pain.average", message: "expected a number from 0 to 10" },
          { path: "input.pain.mood", message: "is not a fact of this policy" },
          { path: "input.prior_procedures[0].date", message: "is required: each entry needs its date" },
        ],
      },
    });
    expect(open.log.join("\n")).not.toContain(secretValue);
  });

  it("refuses a body that is not a case, not JSON, too large, or not JSON at all, with a 4xx and a JSON error that quotes nothing sent", async () => {
    expect(await call("/policies/NIA_CG_300/determinations", post(JSON.stringify({ facts: {} })))).toMatchObject({
      status: 400,
      body: { error: { code: "bad-case", problems: [{ path: "facts", message: "is not a field of a case (the fields are input, state, trace, id)" }, { path: "input", message: "is required: an object of the request's facts" }] } },
    });
    const badJson = await call("/policies/NIA_CG_300/determinations", post('{"input": {"ssn": "123-45-6789"'));
    expect(badJson).toMatchObject({ status: 400, body: { error: { status: 400, code: "bad-json", message: "the request body is not valid JSON" } } });
    expect(JSON.stringify(badJson.body)).not.toContain("123-45");
    expect(await call("/policies/NIA_CG_300/determinations", post(JSON.stringify({ input: { note: "x".repeat(70 * 1024) } })))).toMatchObject({ status: 413, body: { error: { code: "body-too-large" } } });
    expect(await call("/policies/NIA_CG_300/determinations", post("input=1", { "content-type": "text/plain" }))).toMatchObject({ status: 415, body: { error: { code: "unsupported-media-type", message: "send the case as application/json" } } });
    expect(await call("/policies/NIA_CG_300/determinations", post("", { "content-type": "application/json" }))).toMatchObject({ status: 400, body: { error: { code: "empty-body" } } });
    expect(await call("/policies/NIA_CG_300/determinations", post('{"__proto__": {"x": 1}, "input": {}}'))).toMatchObject({ status: 400 });
    expect(await call("/policies/NIA_CG_300/determinations", post(JSON.stringify({ input: meets.input, state: "Washington" })))).toMatchObject({ status: 400, body: { error: { problems: [{ path: "state", message: 'expected a US state or territory code such as "WA" (any case)' }] } } });
    expect(await call("/nowhere")).toMatchObject({ status: 404, body: { error: { code: "not-found" } } });
    // The service is still up.
    expect((await call("/health")).status).toBe(200);
  });

  it("refuses a body that gives a key twice in one object, naming the key's path and place, never its values", async () => {
    const twice = await call("/policies/NIA_CG_300/determinations", post('{"state": "WA", "input": {"date_of_service": "2024-03-15", "date_of_service": "2024-02-30"}}'));
    expect(twice).toEqual({
      status: 400,
      headers: twice.headers,
      body: {
        error: {
          status: 400,
          code: "duplicate-key",
          message: "input.date_of_service is given twice (line 1, column 60); each key may appear once in an object",
          problems: [{ path: "input.date_of_service", message: "is given twice (line 1, column 60)" }],
        },
      },
    });
    expect(JSON.stringify(twice.body)).not.toContain("2024-02-30");
    const top = await call("/policies/NIA_CG_300/determinations", post('{\n  "input": {},\n  "trace": false,\n  "input": {}\n}'));
    expect(top.body).toEqual({ error: { status: 400, code: "duplicate-key", message: "input is given twice (line 4, column 3); each key may appear once in an object", problems: [{ path: "input", message: "is given twice (line 4, column 3)" }] } });
    // In a list entry, the path has the entry's index; an odd key is quoted.
    const entry = await call("/policies/NIA_CG_300/determinations", post('{"input": {"prior_procedures": [{"date": "2024-01-01"}, {"a b": 1, "a b": 2}]}}'));
    expect((entry.body.error as { message: string }).message).toBe('input.prior_procedures[1]["a b"] is given twice (line 1, column 68); each key may appear once in an object');
    // The same key in different objects is no duplicate: the library's case, entries and all, is evaluated.
    expect((await call("/policies/NIA_CG_300/determinations", post(JSON.stringify({ input: meets.input, trace: false }, null, 2)))).status).toBe(200);
    // A body the platform cannot parse is still "bad-json", before any duplicate is looked for.
    expect((await call("/policies/NIA_CG_300/determinations", post('{"input": {}, "input": '))).body).toMatchObject({ error: { code: "bad-json" } });
  });

  it("finds the policies that list a request's CPT codes", async () => {
    const { status, body } = await call("/route?cpt=64483&cpt=%2B64484,99999");
    expect(status).toBe(200);
    expect((body.matches as { policy: string }[]).map((m) => m.policy)).toEqual(["NIA_CG_300", "NIA_CG_408"]);
    expect(body.unmatched).toEqual(["99999"]);
    expect(await call("/route")).toMatchObject({ status: 400, body: { error: { code: "no-codes" } } });
    expect(await call("/route?cpt=12")).toMatchObject({ status: 400, body: { error: { code: "bad-codes", problems: [{ path: "cpt[0]", message: "is not a CPT or HCPCS code" }] } } });
  });

  it("publishes an OpenAPI 3.1 document whose request schemas are the policies' own and take their case files", async () => {
    const { body } = await call("/openapi.json");
    expect(body.openapi).toBe("3.1.0");
    const paths = body.paths as Record<string, unknown>;
    expect(Object.keys(paths)).toContain("/policies/NIA_CG_300/determinations");
    const components = (body.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
    expect(components["NIA_CG_300.Request"]).toEqual(JSON.parse(JSON.stringify(inputSchema(policies.get("NIA_CG_300")!))));
    // The case schema, with the request schema it refers to, takes a real case.
    const ajv = new Ajv2020({ strict: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile({ ...components["NIA_CG_300.Case"], components: { schemas: { "NIA_CG_300.Request": components["NIA_CG_300.Request"] } }, $id: "urn:test:case" });
    expect(validate({ input: meets.input, state: "WA" })).toBe(true);
    expect(validate({ input: { ...meets.input, pain: { average: 11 } } })).toBe(false);
  });

  it("logs a line per request with its route, status and id, and nothing of its body", async () => {
    open.log.length = 0;
    await call("/policies/NIA_CG_300/determinations", post(JSON.stringify({ input: meets.input }), { "content-type": "application/json", "x-request-id": "log-check-1" }));
    expect(open.log).toHaveLength(1);
    expect(open.log[0]).toMatch(/^\S+ POST \/policies\/:id\/determinations 200 [\d.]+ms log-check-1$/);
    expect(open.log[0]).not.toContain("2024-03-15");
  });

  it("requires the bearer token when given one, except for the health check", async () => {
    expect(await call("/health", {}, secured)).toMatchObject({ status: 200 });
    const refused = await call("/policies", {}, secured);
    expect(refused).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
    expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="polc"');
    expect((await call("/policies", { headers: { authorization: "Bearer wrong-token-of-same-size-00000" } }, secured)).status).toBe(401);
    expect((await call("/policies", { headers: { authorization: `Bearer ${token}` } }, secured)).status).toBe(200);
    const evaluated = await call("/policies/NIA_CG_300/determinations", post(JSON.stringify({ input: meets.input }), { "content-type": "application/json", authorization: `Bearer ${token}` }), secured);
    expect(evaluated.body.outcome).toBe("meets");
  });
});

describe("polc serve: a clinician's decision on a determination", () => {
  const denied = JSON.parse(readFileSync("test/cases/nia-cg-300/acute-no-radicular-symptoms.json", "utf8")) as { input: Record<string, unknown> };

  async function determination(): Promise<Record<string, unknown>> {
    const { status, body } = await call("/policies/NIA_CG_300/determinations", post(JSON.stringify({ input: denied.input, trace: false })));
    expect(status).toBe(200);
    expect(body.outcome).toBe("does-not-meet");
    return body;
  }

  it("records an override as the record a service stores, naming the policy, its version and sources digest", async () => {
    const d = await determination();
    const review = { reviewer: { id: "1234567890", name: "A. Reviewer", credentials: "MD" }, decision: "override", outcome: "meets", rationale: "Radicular symptoms are documented in the 3 March note.", decidedAt: "2024-06-15T14:03:00Z" };
    const { status, body } = await call("/reviews", post(JSON.stringify({ determination: d, review })));
    expect(status).toBe(200);
    const policy = d.policy as { digest: string };
    expect(policy.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(body.review).toEqual({
      reviewed: { policy: "NIA_CG_300", version: "2024", digest: policy.digest, outcome: "does-not-meet" },
      reviewer: { id: "1234567890", name: "A. Reviewer", credentials: "MD" },
      decidedAt: "2024-06-15T14:03:00Z",
      decision: "override",
      outcome: "meets",
      rationale: "Radicular symptoms are documented in the 3 March note.",
    });
    const ajv = new Ajv2020({ strict: false });
    expect(ajv.validate(reviewDecisionSchema, body.review), JSON.stringify(ajv.errors)).toBe(true);
  });

  it("dates an agreement now when no time is given", async () => {
    const before = Date.now();
    const { status, body } = await call("/reviews", post(JSON.stringify({ determination: await determination(), review: { reviewer: { id: "rn-7" }, decision: "agree", rationale: "No radicular symptoms in the chart." } })));
    expect(status).toBe(200);
    const review = body.review as { decision: string; outcome: string; decidedAt: string };
    expect(review).toMatchObject({ decision: "agree", outcome: "does-not-meet" });
    expect(Date.parse(review.decidedAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("names each field of a review that cannot be recorded, without echoing what was sent", async () => {
    const { status, body } = await call("/reviews", post(JSON.stringify({ determination: await determination(), review: { reviewer: { id: "" }, decision: "override", rationale: "x", decidedAt: "yesterday" } })));
    expect(status).toBe(422);
    expect(body.error).toEqual({
      status: 422,
      code: "review-not-valid",
      message: "the review cannot be recorded",
      problems: [
        { path: "review.reviewer.id", message: "is required: who decided (an NPI or staff id)" },
        { path: "review.decidedAt", message: "expected an ISO 8601 date and time with its offset like 2024-06-15T14:03:00Z" },
        { path: "review.outcome", message: "is required when overriding: the outcome decided instead of does-not-meet" },
      ],
    });
    expect(JSON.stringify(body)).not.toContain("yesterday");
  });

  it("refuses a body that is not a determination and a review", async () => {
    const { status, body } = await call("/reviews", post(JSON.stringify({ determination: { outcome: "maybe" }, note: 1 })));
    expect(status).toBe(400);
    expect(body.error).toEqual({
      status: 400,
      code: "bad-review",
      message: "the body is not a review request",
      problems: [
        { path: "note", message: "is not a field of a review request (the fields are determination, review)" },
        { path: "review", message: 'is required: {"reviewer": {"id", "name"?, "credentials"?}, "decision": "agree" | "override", "outcome"?, "rationale", "decidedAt"?}' },
        { path: "determination", message: 'expected a determination as polc eval --json prints it (with "outcome" and "policy": {"id", "version", …})' },
      ],
    });
  });

  it("is described in the OpenAPI document, with the record's schema", async () => {
    const { body } = await call("/openapi.json");
    expect(Object.keys((body.paths as Record<string, { post?: unknown }>)["/reviews"])).toEqual(["post"]);
    expect(((body.components as { schemas: Record<string, { required?: string[] }> }).schemas.ReviewDecision.required)).toEqual(["reviewed", "reviewer", "decidedAt", "decision", "outcome", "rationale"]);
  });
});

describe("polc serve from the command line", () => {
  it("listens on loopback by default, prints where, serves, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, ["bin/polc.js", "serve", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      const address = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (match) resolve(match[1]);
        });
        child.on("exit", (code) => reject(new Error(`polc serve exited with ${code}: ${out}`)));
      });
      expect(out).toMatch(/^polc serve: 9 policies on http:\/\/127\.0\.0\.1:\d+\n$/);
      const response = await fetch(`${address}/policies/NIA_CG_300/determinations`, post(JSON.stringify({ input: meets.input })));
      expect(((await response.json()) as { outcome: string }).outcome).toBe("meets");
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);

  it("refuses a port that is not one, and a short token", async () => {
    const { main } = await import("../../compiler/cli/main.js");
    const err: string[] = [];
    const io = { out: () => undefined, err: (t: string) => err.push(t) };
    expect(await main(["node", "polc", "serve", "--port", "http"], io)).toBe(2);
    expect(await main(["node", "polc", "serve", "--token", "short"], io)).toBe(2);
    expect(err).toEqual(["polc: --port expects a whole number from 0 to 65535, not 'http'", "polc: the token must be at least 16 characters"]);
  });
});
