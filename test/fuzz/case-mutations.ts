/**
 * Hostile case inputs for the fuzzer: the library's own case files (test/cases), changed the
 * way a careless or hostile client would: values of the wrong type, out of every bound, absent,
 * or inherited-looking keys, keys given twice, a byte order mark, other line ends, deep nesting.
 * Seeded: the same seed and index give the same case.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../support/library.js";
import { Random } from "./random.js";

export interface CaseSeed {
  /** The policy the case is for, by id. */
  readonly policyId: string;
  readonly file: string;
  readonly data: Record<string, unknown>;
}

export interface CaseInput {
  readonly policyId: string;
  readonly detail: string;
  /** The case file's text, as a client sends it. */
  readonly text: string;
}

/** Every case file under test/cases, with the policy its folder names (`nia-cg-300` → NIA_CG_300). */
export function readCaseSeeds(): CaseSeed[] {
  const root = join(repoRoot, "test", "cases");
  const seeds: CaseSeed[] = [];
  for (const folder of readdirSync(root).sort()) {
    for (const file of readdirSync(join(root, folder)).sort()) {
      if (!file.endsWith(".json")) continue;
      const data = JSON.parse(readFileSync(join(root, folder, file), "utf8")) as Record<string, unknown>;
      seeds.push({ policyId: folder.toUpperCase().replace(/-/g, "_"), file: `${folder}/${file}`, data });
    }
  }
  return seeds;
}

const hostileValues: readonly unknown[] = [
  1e308,
  -1e308,
  1e15,
  1e15 + 2,
  -1,
  0.5,
  11,
  "",
  "2024-02-30",
  "2024-13-01",
  "0000-01-01",
  "9999-12-31",
  "2024-3-1",
  {},
  [],
  [null],
  [{}],
  null,
  true,
  "yes",
  "x".repeat(10_000),
  "\u202e\u0000\u001b[2J",
  { amount: 1e308, unit: "years" },
  { amount: -1, unit: "days" },
  { amount: 1, unit: "fortnights" },
  { amount: 100_000, unit: "years" },
  { amount: 6, unit: "weeks", extra: 1 },
  { amount: "6", unit: "weeks" },
  "lumbar",
  "constructor",
];

const hostileKeys = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "prototype", "then", "date_of_service", "input", "", " ", "\u0000", "a.b"];

/** Every object and array in a value, with a way to change it. */
function containers(value: unknown, out: (Record<string, unknown> | unknown[])[] = []): (Record<string, unknown> | unknown[])[] {
  if (value !== null && typeof value === "object") {
    out.push(value as Record<string, unknown>);
    for (const v of Object.values(value)) containers(v, out);
  }
  return out;
}

/** The `index`-th case of a run with this seed. */
export function caseInput(seeds: readonly CaseSeed[], seed: number, index: number, options: { longHistories?: boolean } = {}): CaseInput {
  const random = new Random(seed, index);
  const base = random.pick(seeds);
  const data = structuredClone(base.data);
  const input = (data.input ?? data) as Record<string, unknown>;
  const changes: string[] = [];
  const rounds = 1 + random.int(3);
  let text: string | undefined;
  for (let r = 0; r < rounds; r++) {
    const all = containers(input);
    const target = random.pick(all);
    const keys = Object.keys(target);
    switch (random.int(6)) {
      case 0:
      case 1: {
        // A value of the wrong type or out of bounds, where a fact or field is.
        if (keys.length === 0) break;
        const key = random.pick(keys);
        const value = structuredClone(random.pick(hostileValues));
        (target as Record<string, unknown>)[key] = value;
        changes.push(`${key} = ${JSON.stringify(value)?.slice(0, 40)}`);
        break;
      }
      case 2: {
        if (keys.length === 0) break;
        const key = random.pick(keys);
        if (Array.isArray(target)) target.splice(Number(key), 1);
        else delete target[key];
        changes.push(`removed ${key}`);
        break;
      }
      case 3: {
        if (Array.isArray(target)) break;
        const key = random.pick(hostileKeys);
        // Own data through JSON, as a request sends it: `__proto__` too becomes an own key.
        Object.defineProperty(target, key, { value: structuredClone(random.pick(hostileValues)), enumerable: true, writable: true, configurable: true });
        changes.push(`added ${JSON.stringify(key)}`);
        break;
      }
      case 4: {
        // Deep nesting where a value goes.
        if (keys.length === 0) break;
        const key = random.pick(keys);
        const depth = random.pick([10, 1_000]);
        (target as Record<string, unknown>)[key] = JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`);
        changes.push(`${key} nested ${depth} deep`);
        break;
      }
      case 5: {
        // A history of many entries.
        const list = all.find((c) => Array.isArray(c) && c.length > 0) as unknown[] | undefined;
        if (!list) break;
        const n = options.longHistories === false ? random.pick([20, 100]) : random.pick([100, 2_000]);
        const copy = list.slice();
        while (list.length < n) list.push(structuredClone(copy[list.length % copy.length]));
        changes.push(`history of ${n}`);
        break;
      }
    }
  }
  // Indented, a deeply nested value would take space quadratic in its depth.
  const nested = changes.some((c) => c.includes("nested"));
  text = JSON.stringify(data, null, nested || random.int(2) === 0 ? undefined : 2);
  switch (random.int(8)) {
    case 0:
      text = `\uFEFF${text}`;
      changes.push("byte order mark");
      break;
    case 1:
      text = text.replace(/\n/g, "\r");
      changes.push("CR line ends");
      break;
    case 2: {
      // A key given twice: the first occurrence of `"date_of_service":` repeated with another value.
      const at = text.indexOf('"date_of_service":');
      if (at >= 0) {
        text = `${text.slice(0, at)}"date_of_service": "2024-02-30", ${text.slice(at)}`;
        changes.push("date_of_service given twice");
      }
      break;
    }
  }
  return { policyId: base.policyId, detail: `${base.file}: ${changes.join("; ") || "unchanged"}`, text };
}
