/**
 * `polc serve`: a library of policies as an HTTP service, on Fastify.
 *
 *   GET  /health                                   liveness, and how many policies are loaded
 *   GET  /policies                                 every policy's metadata and the digest of its input
 *   GET  /policies/{id}                            one policy: metadata, facts, JSON Schemas
 *   GET  /policies/{id}/input.schema.json          the request's JSON Schema
 *   GET  /policies/{id}/determination.schema.json  the determination's JSON Schema
 *   POST /policies/{id}/determinations             a case in, its determination out
 *   POST /reviews                                  a clinician's decision on a determination, as a record to store
 *   GET  /route?cpt=64483&cpt=64484                the policies that list those CPT codes
 *   GET  /openapi.json                             this API, with the schemas above
 *
 * What a request carries is patient data: it is never written to the log, and an error names the
 * field that is wrong and what was expected, never the value that was sent. Every error is JSON:
 * `{"error": {"status", "code", "message", "problems"?: [{"path", "message"}]}}`, with the field
 * paths `polc eval` prints (`input.pain.average`). A body that gives a key twice in one object is
 * refused (400, naming the key's path), as a case file is: the platform's parser would keep the last.
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Policy } from "../runtime/policy.js";
import type { InputProblem } from "../runtime/validate.js";
import { InputError } from "../runtime/validate.js";
import { stateCode, stateExpected } from "../runtime/states.js";
import { evaluate } from "../runtime/determine.js";
import { versionInForce, versionsOf } from "../runtime/versions.js";
import type { Determination } from "../runtime/determination.js";
import { recordReview, reviewedDetermination, type ReviewInput } from "../runtime/review.js";
import { determinationSchema, inputSchema, schemaOrigin } from "../json-schema/index.js";
import { isCptCode, route } from "../compiler/cli/route.js";
import { firstDuplicateKey, type Duplicate } from "../compiler/cli/strict-json.js";
import { openApiDocument } from "./openapi.js";

export interface ServiceOptions {
  /** The policies served, by id. */
  readonly policies: ReadonlyMap<string, Policy>;
  /** When given, every route but /health requires `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** The largest request body taken, in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Where a line per request goes (method, route, status, time, request id): never its body. */
  readonly log?: (line: string) => void;
}

/** The error body every failure gets. */
export interface ServiceError {
  readonly error: { readonly status: number; readonly code: string; readonly message: string; readonly problems?: readonly InputProblem[] };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: readonly InputProblem[],
  ) {
    super(message);
  }
}

/** What Fastify's own errors become: a status, a stable code and a message that quotes nothing the client sent. */
const fastifyErrors: ReadonlyMap<string, { status: number; code: string; message: string }> = new Map([
  ["FST_ERR_CTP_BODY_TOO_LARGE", { status: 413, code: "body-too-large", message: "the request body is larger than the service takes" }],
  ["FST_ERR_CTP_INVALID_MEDIA_TYPE", { status: 415, code: "unsupported-media-type", message: "send the case as application/json" }],
  ["FST_ERR_CTP_INVALID_CONTENT_LENGTH", { status: 400, code: "bad-content-length", message: "the Content-Length does not match the body" }],
  ["FST_ERR_CTP_EMPTY_JSON_BODY", { status: 400, code: "empty-body", message: "the request body is empty; send a case as JSON" }],
  ["FST_ERR_CTP_INVALID_JSON_BODY", { status: 400, code: "bad-json", message: "the request body is not valid JSON" }],
]);

/** A problem's message without the value the client sent ("expected a number from 0 to 10, got 11" → "expected a number from 0 to 10"). */
function withoutValue(problem: InputProblem, under = "input."): InputProblem {
  return { path: `${under}${problem.path}`, message: problem.message.replace(/, got [\s\S]*$/, "") };
}

const caseKeys = new Set(["input", "state", "trace", "id"]);

/** The body of a POST: `{"input": {…facts…}, "state"?: "WA", "trace"?: false, "id"?: "case-1"}`. */
function readCase(body: unknown): { input: Record<string, unknown>; state?: string; trace: boolean; id?: string | number } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new HttpError(400, "bad-case", 'expected a JSON object: {"input": {…the request\'s facts…}, "state": "WA"}');
  const record = body as Record<string, unknown>;
  const problems: InputProblem[] = [];
  for (const key of Object.keys(record)) if (!caseKeys.has(key)) problems.push({ path: key, message: "is not a field of a case (the fields are input, state, trace, id)" });
  const input = Object.hasOwn(record, "input") ? record.input : undefined;
  if (input === null || typeof input !== "object" || Array.isArray(input)) problems.push({ path: "input", message: "is required: an object of the request's facts" });
  const state = Object.hasOwn(record, "state") ? record.state : undefined;
  if (state !== undefined && state !== null && stateCode(state) === undefined) problems.push({ path: "state", message: stateExpected });
  const trace = Object.hasOwn(record, "trace") ? record.trace : undefined;
  if (trace !== undefined && typeof trace !== "boolean") problems.push({ path: "trace", message: "expected true or false" });
  const id = Object.hasOwn(record, "id") ? record.id : undefined;
  if (id !== undefined && typeof id !== "string" && !(typeof id === "number" && Number.isFinite(id))) problems.push({ path: "id", message: "expected a text or a number" });
  if (problems.length) throw new HttpError(400, "bad-case", "the body is not a case", problems);
  return { input: input as Record<string, unknown>, state: typeof state === "string" ? state.toUpperCase() : undefined, trace: trace !== false, id: id as string | number | undefined };
}

/** A key given twice in the body: named by its path (cut short: a key is text the client chose), never its values. */
function duplicateKeyError(duplicate: Duplicate): HttpError {
  const path = duplicate.path.length > 200 ? `${duplicate.path.slice(0, 200)}…` : duplicate.path;
  const place = `line ${duplicate.line}, column ${duplicate.column}`;
  return new HttpError(400, "duplicate-key", `${path} is given twice (${place}); each key may appear once in an object`, [{ path, message: `is given twice (${place})` }]);
}

/** A client's request id, when it is a plain token (it is echoed back in a header); otherwise one is made. */
function requestIdOf(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A policy's summary, as /policies lists it. */
function summary(policy: Policy) {
  const m = policy.metadata;
  const base = `/policies/${encodeURIComponent(m.id)}`;
  return {
    id: m.id,
    title: m.title,
    version: m.version,
    ...(m.guideline !== undefined ? { guideline: m.guideline } : {}),
    effective: m.effective,
    cpt: m.cpt,
    overlays: m.overlays,
    inputDigest: schemaOrigin(policy).inputDigest,
    links: { self: base, determinations: `${base}/determinations`, inputSchema: `${base}/input.schema.json`, determinationSchema: `${base}/determination.schema.json` },
  };
}

/** A fact as a client needs to know it: where it goes, its type, what to look for in the chart. */
function factInfo(f: Policy["facts"][number]) {
  const t = f.type;
  const type = t.t === "number" ? (t.integer ? "integer" : "number") : t.t === "enum" ? t.name : t.t === "list" ? `list of ${t.of().name}` : t.t;
  return { path: f.path, type, description: f.description };
}

export async function buildService(options: ServiceOptions): Promise<FastifyInstance> {
  const { default: Fastify } = await import("fastify");
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: options.bodyLimit ?? 1024 * 1024, genReqId: requestIdOf, return503OnClosing: true });
  // Cases come as JSON only: Fastify's text parser would hand a plain-text body to the routes.
  app.removeContentTypeParser("text/plain");
  // Fastify's JSON parser (which refuses __proto__ and constructor keys), then a key given twice.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    parseJson(request, body as string, (error, value) => {
      if (error) return done(error, undefined);
      const duplicate = firstDuplicateKey(body as string);
      if (duplicate) return done(duplicateKeyError(duplicate), undefined);
      done(null, value);
    });
  });
  const policies = options.policies;
  const schemas = new Map([...policies].map(([id, p]) => [id, { input: inputSchema(p), determination: determinationSchema(p) }]));
  const openApi = openApiDocument(policies, schemas, options.token !== undefined);

  const policyOf = (request: FastifyRequest): Policy => {
    const id = (request.params as { id?: string }).id ?? "";
    const policy = policies.get(id);
    if (!policy) throw new HttpError(404, "no-such-policy", `no policy '${id.slice(0, 100)}' (GET /policies lists them)`);
    return policy;
  };

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (options.token === undefined || request.url === "/health") return;
    const header = request.headers.authorization;
    const match = typeof header === "string" ? /^Bearer (\S+)$/.exec(header) : null;
    if (!match || !sameToken(match[1], options.token)) {
      reply.header("www-authenticate", 'Bearer realm="polc"');
      throw new HttpError(401, "unauthorized", "send the service's token as Authorization: Bearer <token>");
    }
  });

  if (options.log) {
    const log = options.log;
    app.addHook("onResponse", async (request, reply) => {
      // The route's pattern, not the URL: a URL can carry what a client should not have put there.
      const path = request.routeOptions.url ?? "(no route)";
      log(`${new Date().toISOString()} ${request.method} ${path} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms ${request.id}`);
    });
  }

  app.setErrorHandler((error: FastifyError | HttpError, _request: FastifyRequest, reply: FastifyReply) => {
    let body: ServiceError["error"];
    if (error instanceof HttpError) body = { status: error.status, code: error.code, message: error.message, ...(error.problems ? { problems: error.problems } : {}) };
    else {
      const known = fastifyErrors.get(error.code);
      const status = known?.status ?? (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500);
      // Fastify's own messages can quote the body (a JSON parse error does): only known, fixed messages go out.
      body = known ?? (status === 500 ? { status, code: "internal-error", message: "the service could not answer this request" } : { status, code: "bad-request", message: "the request could not be read" });
    }
    return reply.status(body.status).type("application/json").send({ error: body } satisfies ServiceError);
  });

  app.setNotFoundHandler((request, reply) => {
    return reply.status(404).send({ error: { status: 404, code: "not-found", message: `no route ${request.method} ${request.url.split("?")[0].slice(0, 200)} (GET /openapi.json describes the API)` } } satisfies ServiceError);
  });

  app.get("/health", async () => ({ status: "ok", policies: policies.size }));

  app.get("/openapi.json", async () => openApi);

  app.get("/policies", async () => ({ policies: [...policies.values()].map(summary) }));

  app.get("/policies/:id", async (request) => {
    const policy = policyOf(request);
    const own = schemas.get(policy.metadata.id)!;
    return { ...summary(policy), facts: policy.facts.map(factInfo), inputSchema: own.input, determinationSchema: own.determination };
  });

  app.get("/policies/:id/input.schema.json", async (request) => schemas.get(policyOf(request).metadata.id)!.input);
  app.get("/policies/:id/determination.schema.json", async (request) => schemas.get(policyOf(request).metadata.id)!.determination);

  app.post("/policies/:id/determinations", async (request) => {
    const { input, state, trace, id } = readCase(request.body);
    // A guideline with several versions: the case's date of service chooses the one in force.
    const versions = versionsOf(policies.values(), (request.params as { id: string }).id);
    let policy: Policy;
    if (versions.length === 0) policy = policyOf(request);
    else {
      try {
        policy = versionInForce(versions, Object.hasOwn(input, "date_of_service") ? input.date_of_service : undefined);
      } catch (e) {
        if (e instanceof InputError) throw new HttpError(422, "no-version-in-force", `no version of ${versions[0].metadata.guideline} is in force on the case's date of service`, e.problems.map((p) => withoutValue(p)));
        throw e;
      }
    }
    try {
      // The case's own id, when it has one, comes back beside the request id, as in a batch.
      return { requestId: request.id, ...(id !== undefined ? { id } : {}), ...evaluate(policy, input, { state, trace }) };
    } catch (e) {
      if (e instanceof InputError) throw new HttpError(422, "input-does-not-match", `the case does not match ${policy.metadata.id}'s input`, e.problems.map((p) => withoutValue(p)));
      throw e;
    }
  });

  // A does-not-meet is a recommendation: the clinician's decision on it comes back as the record
  // to keep beside the determination (the service stores nothing itself).
  app.post("/reviews", async (request) => {
    const body = request.body;
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw new HttpError(400, "bad-review", 'expected a JSON object: {"determination": {…}, "review": {"reviewer": {"id"}, "decision", "rationale", …}}');
    const record = body as Record<string, unknown>;
    const problems: InputProblem[] = [];
    for (const key of Object.keys(record)) if (key !== "determination" && key !== "review") problems.push({ path: key, message: "is not a field of a review request (the fields are determination, review)" });
    const given = Object.hasOwn(record, "review") ? record.review : undefined;
    if (given === null || typeof given !== "object" || Array.isArray(given)) problems.push({ path: "review", message: 'is required: {"reviewer": {"id", "name"?, "credentials"?}, "decision": "agree" | "override", "outcome"?, "rationale", "decidedAt"?}' });
    let determination: Determination | undefined;
    try {
      determination = reviewedDetermination(Object.hasOwn(record, "determination") ? record.determination : undefined, "determination");
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(...e.problems);
    }
    if (problems.length > 0 || determination === undefined) throw new HttpError(400, "bad-review", "the body is not a review request", problems.map((p) => withoutValue(p, "")));
    const input = given as Partial<ReviewInput>;
    try {
      const review = recordReview(determination, { ...input, decidedAt: input.decidedAt ?? new Date().toISOString() } as ReviewInput);
      return { requestId: request.id, review };
    } catch (e) {
      if (e instanceof InputError) throw new HttpError(422, "review-not-valid", "the review cannot be recorded", e.problems.map((p) => withoutValue(p, "review.")));
      throw e;
    }
  });

  app.get("/route", async (request) => {
    const query = request.query as Record<string, string | string[] | undefined>;
    const raw = Object.hasOwn(query, "cpt") ? query.cpt : undefined;
    // A "+" in a query reads as a space: an add-on code may come as " 64484".
    const codes = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((c) => c.split(",")).map((c) => c.trim()).filter((c) => c !== "");
    if (codes.length === 0) throw new HttpError(400, "no-codes", "give the request's CPT codes: /route?cpt=64483&cpt=64484");
    const bad = codes.filter((c) => !isCptCode(c));
    if (bad.length) throw new HttpError(400, "bad-codes", "CPT and HCPCS codes are five letters or digits (64483, +64484, 0213T)", bad.slice(0, 20).map((_, i) => ({ path: `cpt[${codes.indexOf(bad[i])}]`, message: "is not a CPT or HCPCS code" })));
    return route(policies.values(), codes);
  });

  return app;
}

/** Whether a host name or address is this machine only. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
