/**
 * Names that mean something to JavaScript, TypeScript, Object.prototype, the generated code or pol
 * itself, swept through every role a name can take: a fact (at the top and inside a group), a
 * group, a record field, a query's entry, an enum, an enum value, a record, a definition, a
 * parameter, a criterion, a pathway, a policy id and an overlay id. Each name a role takes is
 * compiled (`polc check`), built (`polc build`), type-checked (one tsc program for the whole
 * sweep), imported as a built module, loaded in memory, and evaluated with `polc eval --json` and
 * `polc eval --batch`: every one of them gives the same determination, and that determination is
 * the one the role's rule gives (a fact left out is unknown, never a built-in value; an id is
 * reported exactly). A name a role does not take is one clear diagnostic, with its code and place.
 *
 * Names are grouped: one policy per role holds every name in that role (a policy per name for
 * policy ids), each name's rule reading facts of its own. A case turns a few names' facts on, or
 * leaves them out, with every other name's off: each of those names is then reported under its
 * own id (unmet, missing, pathway, overlays), so the case checks each of them exactly, and a
 * failure names the role and the names.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBatch } from "../../compiler/cli/batch.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { compileFiles, compileText } from "../../compiler/compile.js";
import { renderDiagnostic } from "../../compiler/diagnostics.js";
import { loadPolicies, scriptLibrary } from "../../compiler/load-modules.js";
import { policySlug } from "../../compiler/build.js";
import { reservedWords } from "../../grammar/tokens.js";
import { evaluate } from "../../runtime/determine.js";
import type { Determination } from "../../runtime/determination.js";
import type { Policy } from "../../runtime/policy.js";
import { typeCheck } from "../support/inert.js";
import { polc, type PolcRun } from "../support/polc.js";

// ── The names ────────────────────────────────────────────────────────────────────────────────

const words = (text: string) => text.split(/\s+/).filter(Boolean);

const javascriptWords = words(`break case catch class const continue debugger default delete do else enum export extends false
  finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield
  let static implements interface package private protected public await arguments eval`);
const typescriptWords = words(`any as asserts async declare get infer is keyof module namespace never readonly require number object
  set string symbol type undefined unique unknown from global bigint of satisfies accessor out override`);
const prototypeNames = [...Object.getOwnPropertyNames(Object.prototype), "__proto__", "prototype", "length", "name", "caller", "then"];
/**
 * Names generated code uses itself (its values, its types), the keys of a case file, and the names
 * a type would take (`readonly` → `Readonly`) that TypeScript gives its own types.
 */
const generatorNames = words(`_ __ _1 k c r source policy metadata evaluate decision load Input Determination EvaluateOptions Decision DecisionOptions Duration IsoDate
  input state description expect readonly record partial array string object Readonly Record Partial Array String Object`);
/** pol's own words: the lexer's keywords, duration units in both spellings. */
const polWords = reservedWords;
/** Names pol gives every policy and its types: not a fact, group, enum, record, definition or criterion (POL015). */
const builtinNames = words(`date_of_service later_of earlier_of recent_run percent_change percent_reduction same_level adjacent_level levels_within
  levels_apart level_count level_range level_union boolean number integer percent duration date text spinal_levels`);

const sweepNames = [...new Set([...javascriptWords, ...typescriptWords, ...prototypeNames, ...generatorNames, ...polWords, ...builtinNames])];

const roles = ["fact", "fact in a group", "group", "field", "query entry", "enum", "value", "record", "definition", "parameter", "criterion", "pathway", "policy", "overlay"] as const;
type Role = (typeof roles)[number];

/** The roles a built-in name cannot take (docs/language.md, "Names and reserved words"). */
const builtinReserved: ReadonlySet<Role> = new Set<Role>(["fact", "group", "enum", "record", "definition", "criterion", "pathway"]);

/** What a role does with a name: takes it, or refuses it with a diagnostic. */
function refusal(name: string, role: Role): "POL009" | "POL015" | undefined {
  if (polWords.includes(name)) return "POL009";
  if (builtinNames.includes(name) && builtinReserved.has(role)) return "POL015";
  return undefined;
}

/**
 * Pairs left out, each for its reason: a record's `date` field is the one that places its entries
 * in time (every record of the sweep has one), so a second field `date` would be declared twice.
 */
const notSwept = (name: string, role: Role) => name === "date" && role === "field";

const accepted = (role: Role) => sweepNames.filter((n) => !refusal(n, role) && !notSwept(n, role));

// ── Policies: each role's names, and the cases that observe them ────────────────────────────

type State = "on" | "off" | "unknown";
type Path = readonly (string | number)[];

/** One name's rule in a role's policy: the facts it reads, what it reports when on, and what is missing when they are unknown. */
interface Slot {
  readonly role: Role;
  readonly name: string;
  /** What it writes into the request in each state; an unknown fact is left out (an entry keeps its date). */
  readonly write: (state: State) => readonly (readonly [Path, unknown])[];
  /** The requirements that apply (or fail, or, for a pathway, that is met) when it is on. */
  readonly unmet: readonly string[];
  readonly missing: readonly string[];
}

/** One policy of the sweep, in its own folder. */
interface Sweep {
  readonly folder: string;
  readonly file: string;
  readonly policyId: string;
  /** A contraindication per slot (on: does not meet), or a pathway per slot (on: meets). */
  readonly kind: "trigger" | "pathway";
  readonly state?: string;
  readonly slots: readonly Slot[];
  /** Overlay ids the determination lists, for the member's state. */
  readonly overlays?: readonly string[];
}

interface Expected {
  readonly outcome: Determination["outcome"];
  readonly policy: string;
  readonly pathway: string | null;
  readonly unmet: readonly string[];
  readonly missing: readonly string[];
  readonly overlays: readonly string[];
  /** Pathways met or undecided, with their result. */
  readonly pathways: readonly string[];
}

interface Case {
  readonly label: string;
  readonly sweep: Sweep;
  /** The case as a line of a batch file and a case file: `{"input": {…}, "state": …}`. */
  readonly json: string;
  readonly state?: string;
  readonly expected: Expected;
  /** Run through `polc eval --json` too: every name on, and every name unknown (off and on, for a policy named after a name). */
  readonly cli: boolean;
}

const dos = "2024-03-15";
const entryDate = "2024-01-10";

/** Sets a value at a path of own properties, `__proto__` included, making groups and lists on the way. */
function put(root: Record<string, unknown>, path: Path, value: unknown): void {
  const define = (o: object, key: string | number, v: unknown) => Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
  let node = root as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    if (!Object.hasOwn(node, path[i])) define(node, path[i], typeof path[i + 1] === "number" ? [] : {});
    node = node[path[i]] as Record<string | number, unknown>;
  }
  define(node, path[path.length - 1], value);
}

const flag = (path: Path) => (state: State) => (state === "unknown" ? [] : [[path, state === "on"] as const]);
const choice = (path: Path, on: string, off: string) => (state: State) => (state === "unknown" ? [] : [[path, state === "on" ? on : off] as const]);
/** A flag of a list's entry: the entry is there with its date either way. */
const entryFlag = (list: string, index: number, field: string, on: unknown = true, off: unknown = false) => (state: State) => [
  [[list, index, "date"], entryDate] as const,
  ...(state === "unknown" ? [] : [[[list, index, field], state === "on" ? on : off] as const]),
];

/** What the policy's rules give for each slot's state. */
function expectedOf(sweep: Sweep, states: ReadonlyMap<Slot, State>): Expected {
  const on = sweep.slots.filter((s) => states.get(s) === "on");
  const unknown = sweep.slots.filter((s) => states.get(s) === "unknown");
  const pathways = sweep.kind === "pathway" ? [...on.map((s) => `${s.unmet[0]} true`), ...unknown.map((s) => `${s.unmet[0]} unknown`)] : [];
  const base = { policy: sweep.policyId, pathway: null, unmet: [], missing: [], overlays: sweep.overlays ?? [], pathways };
  if (sweep.kind === "trigger") {
    if (on.length) return { ...base, outcome: "does-not-meet", unmet: on.flatMap((s) => s.unmet) };
    if (unknown.length) return { ...base, outcome: "needs-info", missing: unknown.flatMap((s) => s.missing) };
    return { ...base, outcome: "meets" };
  }
  if (on.length) return { ...base, outcome: "meets", pathway: on[0].unmet[0] };
  // Still open: the pathways that surely failed are listed too, for a reviewer to weigh.
  const off = sweep.slots.filter((s) => states.get(s) === "off");
  if (unknown.length) return { ...base, outcome: "needs-info", unmet: off.flatMap((s) => s.unmet), missing: unknown.flatMap((s) => s.missing) };
  return { ...base, outcome: "does-not-meet", unmet: sweep.slots.flatMap((s) => s.unmet) };
}

/** Slots a case changes at once: each changed slot is reported under its own id, so a case checks each of them exactly. */
const batch = 8;

/** Every name off; each few slots on, and unknown, with the rest off; every slot on; every slot unknown. */
function casesOf(sweep: Sweep): Case[] {
  const cases: Case[] = [];
  const add = (label: string, states: ReadonlyMap<Slot, State>, cli: boolean) => {
    const input: Record<string, unknown> = {};
    put(input, ["date_of_service"], dos);
    for (const slot of sweep.slots) for (const [path, value] of slot.write(states.get(slot)!)) put(input, path, value);
    const json = JSON.stringify(sweep.state ? { input, state: sweep.state } : { input });
    cases.push({ label: `${sweep.policyId}: ${label}`, sweep, json, state: sweep.state, expected: expectedOf(sweep, states), cli });
  };
  const all = (state: State) => new Map(sweep.slots.map((s) => [s, state]));
  add("every name off", all("off"), sweep.slots.length === 1);
  for (let i = 0; i < sweep.slots.length; i += batch) {
    const some = sweep.slots.slice(i, i + batch);
    const named = [...new Set(some.map((s) => `${s.role} '${s.name}'`))].join(", ");
    for (const state of ["on", "unknown"] as const) {
      const states = all("off");
      for (const s of some) states.set(s, state);
      // The slot numbers keep labels apart where two slots of one role share names (a value as a fact's and as an entry's).
      add(`${named} (slots ${i + 1}-${i + some.length}): ${state}`, states, sweep.slots.length === 1 && state === "on");
    }
  }
  if (sweep.slots.length > batch) {
    add("every name on", all("on"), true);
    add("every name unknown", all("unknown"), true);
  }
  return cases;
}

interface Built {
  readonly folder: string;
  readonly file: string;
  readonly source: string;
  readonly sweeps: Sweep[];
}

const contraindications = (bullets: readonly string[]) => [`  contraindications "CONTRAINDICATIONS" {`, ...bullets.map((b) => `    ${b}`), `  }`];
const policyBlock = (id: string, title: string, members: readonly string[]) => [`policy ${id} "${title}" {`, `  version "1"`, ...members, `}`];

/** One role's policy: every name it takes, each with a rule of its own. */
function rolePolicy(folder: string, policyId: string, build: (out: { decls: string[]; bullets: string[]; slots: Slot[]; members: string[] }) => void, kind: Sweep["kind"] = "trigger"): Built {
  const out = { decls: [] as string[], bullets: [] as string[], slots: [] as Slot[], members: [] as string[] };
  build(out);
  const members = kind === "trigger" ? [...contraindications(out.bullets), ...out.members] : [`  indications "INDICATIONS" {`, ...out.bullets.map((b) => `    ${b}`), `  }`, ...out.members];
  const source = [...out.decls, "", ...policyBlock(policyId, `Names swept: ${folder}`, members), ""].join("\n");
  const file = `${folder}.pol`;
  return { folder, file, source, sweeps: [{ folder, file, policyId, kind, slots: out.slots }] };
}

function rolePolicies(): Built[] {
  const built: Built[] = [];
  built.push(
    rolePolicy("fact", "SWEEP_FACT", ({ decls, bullets, slots }) => {
      for (const n of accepted("fact")) {
        decls.push(`fact ${n}: boolean "Fact ${n}"`);
        bullets.push(`criterion x_fact_${n} "Fact ${n}": ${n}`);
        slots.push({ role: "fact", name: n, write: flag([n]), unmet: [`x_fact_${n}`], missing: [n] });
      }
    }),
  );
  built.push(
    rolePolicy("group", "SWEEP_GROUP", ({ decls, bullets, slots }) => {
      // Every name a fact of one group.
      const names = accepted("fact in a group");
      decls.push(`group s_group "A group" {`, ...names.map((n) => `  fact ${n}: boolean "Fact s_group.${n}"`), `}`);
      for (const n of names) {
        bullets.push(`criterion x_in_group_${n} "Fact s_group.${n}": s_group.${n}`);
        slots.push({ role: "fact in a group", name: n, write: flag(["s_group", n]), unmet: [`x_in_group_${n}`], missing: [`s_group.${n}`] });
      }
      // A group named N holds a group named N, which holds a fact named N.
      for (const n of accepted("group")) {
        decls.push(`group ${n} "Group ${n}" {`, `  group ${n} "Group ${n}.${n}" {`, `    fact ${n}: boolean "Fact ${n}.${n}.${n}"`, `  }`, `}`);
        bullets.push(`criterion x_nested_${n} "Fact ${n}.${n}.${n}": ${n}.${n}.${n}`);
        slots.push({ role: "group", name: n, write: flag([n, n, n]), unmet: [`x_nested_${n}`], missing: [`${n}.${n}.${n}`] });
      }
    }),
  );
  built.push(
    rolePolicy("field", "SWEEP_FIELD", ({ decls, bullets, slots }) => {
      // Every name a field of one record.
      const names = accepted("field");
      decls.push(`record s_entry "An entry" {`, `  date: date "Date of the entry"`, ...names.map((n) => `  ${n}: boolean "Field ${n}"`), `}`, `fact s_entries: list of s_entry "Entries"`);
      for (const n of names) {
        bullets.push(`criterion x_field_${n} "Field ${n}": exists(p in s_entries where p.${n})`);
        slots.push({ role: "field", name: n, write: entryFlag("s_entries", 0, n), unmet: [`x_field_${n}`], missing: [`s_entries[0].${n}`] });
      }
      // Every name the entry of a question over a list.
      decls.push(`record s_flagged "A flagged entry" {`, `  date: date "Date of the entry"`, `  x_flag: boolean "The entry's flag"`, `}`);
      for (const n of accepted("query entry")) {
        decls.push(`fact x_flagged_${n}: list of s_flagged "Flagged entries for ${n}"`);
        bullets.push(`criterion x_entry_${n} "Entry ${n}": exists(${n} in x_flagged_${n} where ${n}.x_flag)`);
        slots.push({ role: "query entry", name: n, write: entryFlag(`x_flagged_${n}`, 0, "x_flag"), unmet: [`x_entry_${n}`], missing: [`x_flagged_${n}[0].x_flag`] });
      }
    }),
  );
  built.push(
    rolePolicy("enum", "SWEEP_ENUM", ({ decls, bullets, slots }) => {
      const names = accepted("enum");
      for (const n of names) {
        decls.push(`enum ${n} "Enum ${n}" { x_yes "Yes", x_no "No" }`, `fact x_choice_${n}: ${n} "Choice of ${n}"`);
        bullets.push(`criterion x_enum_${n} "Choice of ${n}": x_choice_${n} = x_yes`);
        slots.push({ role: "enum", name: n, write: choice([`x_choice_${n}`], "x_yes", "x_no"), unmet: [`x_enum_${n}`], missing: [`x_choice_${n}`] });
      }
      // One record with a field of each enum type.
      decls.push(`record s_kinds "Kinds" {`, `  date: date "Date of the entry"`, ...names.map((n) => `  x_kind_${n}: ${n} "Kind ${n}"`), `}`, `fact s_kind_entries: list of s_kinds "Entries of kinds"`);
      for (const n of names) {
        bullets.push(`criterion x_kind_${n} "Kind ${n}": exists(p in s_kind_entries where p.x_kind_${n} = x_yes)`);
        slots.push({ role: "enum", name: n, write: entryFlag("s_kind_entries", 0, `x_kind_${n}`, "x_yes", "x_no"), unmet: [`x_kind_${n}`], missing: [`s_kind_entries[0].x_kind_${n}`] });
      }
    }),
  );
  built.push(
    rolePolicy("value", "SWEEP_VALUE", ({ decls, bullets, slots }) => {
      const names = accepted("value");
      for (const n of names) {
        decls.push(`enum x_values_${n} "Values with ${n}" { ${n} "Value ${n}", s_other "Other" }`, `fact x_value_${n}: x_values_${n} "Value for ${n}"`);
        bullets.push(`criterion x_value_is_${n} "Value is ${n}": x_value_${n} = ${n}`, `criterion x_value_in_${n} "Value in {${n}}": x_value_${n} in {${n}}`);
        slots.push({ role: "value", name: n, write: choice([`x_value_${n}`], n, "s_other"), unmet: [`x_value_is_${n}`, `x_value_in_${n}`], missing: [`x_value_${n}`] });
      }
      // One enum with every name as a value; an entry per name.
      decls.push(`enum s_every "Every value" { ${names.map((n) => `${n} "Value ${n}"`).join(", ")}, s_none "None" }`);
      decls.push(`record s_valued "A valued entry" {`, `  date: date "Date of the entry"`, `  s_value: s_every "The entry's value"`, `}`, `fact s_valued_entries: list of s_valued "Valued entries"`);
      names.forEach((n, i) => {
        bullets.push(`criterion x_valued_${n} "An entry's value is ${n}": exists(p in s_valued_entries where p.s_value = ${n})`);
        slots.push({ role: "value", name: n, write: entryFlag("s_valued_entries", i, "s_value", n, "s_none"), unmet: [`x_valued_${n}`], missing: [`s_valued_entries[${i}].s_value`] });
      });
    }),
  );
  built.push(
    rolePolicy("record", "SWEEP_RECORD", ({ decls, bullets, slots }) => {
      for (const n of accepted("record")) {
        decls.push(`record ${n} "Record ${n}" {`, `  date: date "Date of the ${n}"`, `  x_flag: boolean "The ${n}'s flag"`, `}`, `fact x_records_${n}: list of ${n} "Entries of ${n}"`);
        bullets.push(`criterion x_record_${n} "A flagged ${n}": exists(p in x_records_${n} where p.x_flag)`);
        slots.push({ role: "record", name: n, write: entryFlag(`x_records_${n}`, 0, "x_flag"), unmet: [`x_record_${n}`], missing: [`x_records_${n}[0].x_flag`] });
      }
    }),
  );
  built.push(
    rolePolicy("definition", "SWEEP_DEFINITION", ({ decls, bullets, slots }) => {
      for (const n of accepted("definition")) {
        decls.push(`fact x_defined_${n}: boolean "Defines ${n}"`, `define ${n} "Definition ${n}": x_defined_${n}`);
        bullets.push(`criterion x_define_${n} "Definition ${n}": ${n}`);
        slots.push({ role: "definition", name: n, write: flag([`x_defined_${n}`]), unmet: [`x_define_${n}`], missing: [`x_defined_${n}`] });
      }
    }),
  );
  built.push(
    rolePolicy("parameter", "SWEEP_PARAMETER", ({ decls, bullets, slots }) => {
      // A parameter of each kind of definition: one worked out per call, one remembered per list.
      decls.push(`record s_param_entry "An entry" {`, `  date: date "Date of the entry"`, `  x_flag: boolean "The entry's flag"`, `}`);
      for (const n of accepted("parameter")) {
        decls.push(`fact x_argument_${n}: boolean "Argument for ${n}"`, `define x_takes_${n}(${n}: boolean) "Takes ${n}": ${n}`);
        decls.push(`fact x_arguments_${n}: list of s_param_entry "Entries for ${n}"`, `define x_over_${n}(${n}: list of s_param_entry) "Takes a list ${n}": exists(p in ${n} where p.x_flag)`);
        bullets.push(`criterion x_param_${n} "Parameter ${n}": x_takes_${n}(x_argument_${n})`, `criterion x_param_list_${n} "List parameter ${n}": x_over_${n}(x_arguments_${n})`);
        slots.push({ role: "parameter", name: n, write: flag([`x_argument_${n}`]), unmet: [`x_param_${n}`], missing: [`x_argument_${n}`] });
        slots.push({ role: "parameter", name: n, write: entryFlag(`x_arguments_${n}`, 0, "x_flag"), unmet: [`x_param_list_${n}`], missing: [`x_arguments_${n}[0].x_flag`] });
      }
    }),
  );
  built.push(
    rolePolicy("criterion", "SWEEP_CRITERION", ({ decls, bullets, slots, members }) => {
      const names = accepted("criterion");
      for (const n of names) {
        decls.push(`fact x_criterion_fact_${n}: boolean "Fact of criterion ${n}"`, `criterion ${n} "Criterion ${n}": x_criterion_fact_${n}`);
        bullets.push(`use ${n}`);
        slots.push({ role: "criterion", name: n, write: flag([`x_criterion_fact_${n}`]), unmet: [n, `x_not_${n}`], missing: [`x_criterion_fact_${n}`] });
      }
      // Each criterion tested by its name, too.
      members.push(`  requirements "REQUIREMENTS" {`, ...names.map((n) => `    criterion x_not_${n} "Not ${n}": not ${n}`), `  }`);
    }),
  );
  built.push(
    rolePolicy(
      "pathway",
      "SWEEP_PATHWAY",
      ({ decls, bullets, slots }) => {
        for (const n of accepted("pathway")) {
          decls.push(`fact x_pathway_fact_${n}: boolean "Fact of pathway ${n}"`);
          bullets.push(`pathway ${n} "Pathway ${n}": x_pathway_fact_${n}`);
          slots.push({ role: "pathway", name: n, write: flag([`x_pathway_fact_${n}`]), unmet: [n], missing: [`x_pathway_fact_${n}`] });
        }
      },
      "pathway",
    ),
  );
  // Overlays: one policy, an overlay named after each name, all for one state.
  {
    const names = accepted("overlay");
    const lines = [...policyBlock("SWEEP_OVERLAY", "Names swept: overlay", [`  requirements "REQUIREMENTS" {`, `    criterion s_always "Always met": true`, `  }`]), ""];
    const slots: Slot[] = [];
    for (const n of names) {
      lines.push(`fact x_overlay_fact_${n}: boolean "Fact of overlay ${n}"`, `overlay ${n} "Overlay ${n}" for SWEEP_OVERLAY in state WA {`, ...contraindications([`criterion x_overlay_${n} "Overlay ${n}": x_overlay_fact_${n}`]), `}`);
      slots.push({ role: "overlay", name: n, write: flag([`x_overlay_fact_${n}`]), unmet: [`x_overlay_${n}`], missing: [`x_overlay_fact_${n}`] });
    }
    const sweep: Sweep = { folder: "overlay", file: "overlay.pol", policyId: "SWEEP_OVERLAY", kind: "trigger", state: "WA", slots, overlays: names };
    built.push({ folder: "overlay", file: "overlay.pol", source: [...lines, ""].join("\n"), sweeps: [sweep] });
  }
  return built;
}

/**
 * A policy named after each name, a few dozen to a file. Ids whose files would be one file
 * (`_` and `__`, `Input` and `input`) go to different libraries; `library` is its number.
 */
function idPolicies(): { library: number; built: Built }[] {
  const libraries: { slugs: Set<string>; chunks: string[][] }[] = [];
  for (const n of accepted("policy")) {
    let library = libraries.find((l) => !l.slugs.has(policySlug(n)));
    if (!library) libraries.push((library = { slugs: new Set(), chunks: [] }));
    library.slugs.add(policySlug(n));
    if (!library.chunks.length || library.chunks[library.chunks.length - 1].length === 30) library.chunks.push([]);
    library.chunks[library.chunks.length - 1].push(n);
  }
  return libraries.flatMap((library, l) =>
    library.chunks.map((names, c) => {
      const folder = `policy-${l + 1}-${c + 1}`;
      const lines = [`fact s_policy_fact: boolean "A fact every policy reads"`, ""];
      const sweeps = names.map((n): Sweep => {
        lines.push(...policyBlock(n, `Policy ${n}`, contraindications([`criterion x_policy_${n} "Applies to ${n}": s_policy_fact`])), "");
        return { folder, file: `${folder}.pol`, policyId: n, kind: "trigger", slots: [{ role: "policy", name: n, write: flag(["s_policy_fact"]), unmet: [`x_policy_${n}`], missing: ["s_policy_fact"] }] };
      });
      return { library: l, built: { folder, file: `${folder}.pol`, source: lines.join("\n"), sweeps } };
    }),
  );
}

// ── Refusals: one file per name and role ─────────────────────────────────────────────────────

/** A file using the name (`@`) once, in the role; `#` makes its policy's id its own. */
const refusalTemplates: Record<Role, string> = {
  fact: `fact @: boolean "A fact"`,
  "fact in a group": `group x_group "A group" {\n  fact @: boolean "A fact"\n}`,
  group: `group @ "A group" {\n  fact x_flag: boolean "A fact"\n}`,
  field: `record x_entry "An entry" {\n  date: date "Date of the entry"\n  @: boolean "A field"\n}`,
  "query entry": `record x_entry "An entry" {\n  date: date "Date of the entry"\n}\nfact x_entries: list of x_entry "Entries"\ncriterion x_any "Any entry": exists(@ in x_entries)`,
  enum: `enum @ "An enum" { x_yes, x_no }`,
  value: `enum x_choice "A choice" { @, x_other }`,
  record: `record @ "A record" {\n  date: date "Date of the entry"\n}`,
  definition: `define @ "A definition": true`,
  parameter: `define x_takes(@: boolean) "Takes a value": true`,
  criterion: `criterion @ "A criterion": true`,
  pathway: `policy X_POLICY_# "A policy" {\n  version "1"\n  indications "INDICATIONS" {\n    pathway @ "A pathway": true\n  }\n}`,
  policy: `policy @ "A policy" {\n  version "1"\n}`,
  overlay: `policy X_POLICY_# "A policy" {\n  version "1"\n}\noverlay @ "An overlay" for X_POLICY_# in state WA {\n  requirements "REQUIREMENTS" {\n    criterion x_rule "A rule": true\n  }\n}`,
};

/** A diagnostic's code frame, as polc prints it. */
function frame(line: number, text: string, column: number, width: number): string[] {
  const gutter = " ".repeat(String(line).length);
  return [`${gutter} |`, `${line} | ${text}`, `${gutter} | ${" ".repeat(column - 1)}${"^".repeat(width)}`];
}

/** The one diagnostic polc prints for the name in the role, code frame and all. */
function expectedRefusal(path: string, name: string, role: Role, code: "POL009" | "POL015", index: number): string {
  const lines = refusalTemplates[role].replace(/#/g, String(index)).split("\n");
  const line = lines.findIndex((l) => l.includes("@"));
  const column = lines[line].indexOf("@") + 1;
  const text = lines[line].replace("@", name);
  const message = code === "POL009" ? `expected a name, but found '${name}'` : `'${name}' is a name the language reserves; choose another`;
  return [
    `${path}:${line + 1}:${column}: error ${code}: ${message}`,
    ...frame(line + 1, text, column, name.length),
    ...(code === "POL009" ? [`  = '${name}' is a word of the language and cannot be a name; choose another, like ${name}_value`] : []),
  ].join("\n");
}

// ── Running polc ─────────────────────────────────────────────────────────────────────────────

class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else found.push(full);
    }
  };
  walk(dir);
  return found;
}

/** What a determination says, as the expectations put it (unmet and missing in any order). */
function summary(d: Determination): Expected {
  return {
    outcome: d.outcome,
    policy: d.policy.id,
    pathway: d.pathway,
    unmet: d.unmet.map((u) => u.id).sort(),
    missing: d.missing.map((m) => m.fact).sort(),
    overlays: d.overlays.map((o) => `${o.id} ${o.applies}`).sort(),
    pathways: d.pathways.filter((p) => p.result !== "false").map((p) => `${p.id} ${p.result}`).sort(),
  };
}

const sortedExpected = (e: Expected): Expected => ({ ...e, unmet: [...e.unmet].sort(), missing: [...e.missing].sort(), overlays: e.overlays.map((o) => `${o} true`).sort(), pathways: [...e.pathways].sort() });

// ── The sweep ────────────────────────────────────────────────────────────────────────────────

const root = mkdtempSync(join(tmpdir(), "pol-name-sweep-"));
const libraries = [join(root, "lib"), join(root, "lib-2")];
const roleBuilt = rolePolicies();
const idBuilt = idPolicies();
const builtIn = (library: number): Built[] => (library === 0 ? [...roleBuilt, ...idBuilt.filter((b) => b.library === 0).map((b) => b.built)] : idBuilt.filter((b) => b.library === library).map((b) => b.built));
const libraryCount = Math.max(...idBuilt.map((b) => b.library)) + 1;
const allBuilt = [...roleBuilt, ...idBuilt.map((b) => b.built)];
const libraryOf = (b: Built) => (roleBuilt.includes(b) ? 0 : idBuilt.find((x) => x.built === b)!.library);
const folderOf = (b: Built) => join(libraries[libraryOf(b)], b.folder);
const sweeps = allBuilt.flatMap((b) => b.sweeps);
const cases = sweeps.flatMap(casesOf);
const builtOf = (s: Sweep) => allBuilt.find((b) => b.sweeps.includes(s))!;

/** Determinations by case label, in memory (the policies loaded from their generated code, as polc eval loads them), without and with the trace. */
const inMemory = new Map<string, Determination>();
const inMemoryTraced = new Map<string, Determination>();
let buildRuns: PolcRun[] = [];

beforeAll(async () => {
  expect(libraryCount).toBe(libraries.length);
  for (const b of allBuilt) {
    mkdirSync(folderOf(b), { recursive: true });
    writeFileSync(join(folderOf(b), b.file), b.source);
  }
  // In memory: each folder compiled as polc compiles it, its policies loaded from their generated code.
  for (const b of allBuilt) {
    const result = compileText({ [`${b.folder}/${b.file}`]: b.source });
    expect(result.diagnostics.map((d) => renderDiagnostic(d, result.sources)), b.folder).toEqual([]);
    const policies = loadPolicies(result);
    for (const s of b.sweeps) {
      const policy = policies.get(s.policyId) as Policy;
      for (const c of cases.filter((x) => x.sweep === s)) {
        const { input } = JSON.parse(c.json) as { input: unknown };
        inMemory.set(c.label, evaluate(policy, input, { state: c.state, trace: false }));
        if (c.cli) inMemoryTraced.set(c.label, evaluate(policy, input, { state: c.state }));
      }
    }
  }
  buildRuns = [];
  for (let l = 0; l < libraries.length; l++) buildRuns.push(await polc("build", libraries[l], "--out", join(root, `gen-${l + 1}`), "--docs", join(root, `docs-${l + 1}`)));
}, 180_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("names swept through every role", () => {
  it("sweeps the words of JavaScript, TypeScript, Object.prototype, the generated code and pol", () => {
    // pol's own words among those of JavaScript and TypeScript.
    expect([...javascriptWords, ...typescriptWords].filter((n) => polWords.includes(n)).sort()).toEqual(["any", "as", "case", "else", "enum", "false", "for", "if", "import", "in", "is", "of", "true"]);
    expect(reservedWords).toEqual(
      words(`import policy overlay for state fact group enum record define criterion pathway use note all any none at least most of not
        and or unless when in is known count exists every select latest earliest union where counting as one time since between within last
        before after to true false list indications requirements exclusions contraindications notes covered applies references history
        cpt effective advisories refer per if then else case approximated expressible reading extend meets days day weeks week months month years year hours
        hour minutes minute`),
    );
    // Every role takes every name but pol's own words, and the built-ins only where docs/language.md allows them.
    expect([sweepNames.length, polWords.length, builtinNames.length]).toEqual([217, 86, 21]);
    expect(Object.fromEntries(roles.map((role) => [role, accepted(role).length]))).toEqual({
      fact: 110,
      "fact in a group": 131,
      group: 110,
      field: 130,
      "query entry": 131,
      enum: 110,
      value: 131,
      record: 110,
      definition: 110,
      parameter: 131,
      criterion: 110,
      pathway: 110,
      policy: 131,
      overlay: 131,
    });
  });

  it("polc check: every name a role takes compiles without a diagnostic", async () => {
    for (const library of libraries) {
      const files = polFilesUnder(library).length;
      expect(await polc("check", library)).toEqual({ code: 0, out: `no errors in ${files} ${files === 1 ? "file" : "files"}`, err: "" });
    }
  });

  it("polc check: each of pol's own words and built-in names, in each role that cannot take it, is one diagnostic naming it, with its code and place", async () => {
    const dir = join(root, "refused");
    // polc shows at most 100 errors a run: the refusals of a role are checked in folders of 80.
    const perFolder = 80;
    for (const role of roles) {
      const refused = sweepNames.map((name, i) => ({ name, i, code: refusal(name, role) })).filter((r) => r.code !== undefined);
      for (let part = 0; part * perFolder < refused.length; part++) {
        const folder = join(dir, role.replace(/ /g, "-"), String(part + 1));
        mkdirSync(folder, { recursive: true });
        const expected: string[] = [];
        for (const { name, i, code } of refused.slice(part * perFolder, (part + 1) * perFolder)) {
          const path = join(folder, `${String(i).padStart(3, "0")}.pol`);
          writeFileSync(path, `${refusalTemplates[role].replace("@", name).replace(/#/g, String(i))}\n`);
          expected.push(expectedRefusal(relative(process.cwd(), path), name, role, code!, i));
        }
        const run = await polc("check", folder);
        expect(run.code, role).toBe(1);
        expect(run.out, role).toBe("");
        expect(run.err.split(/\n(?=\S+\.pol:\d+:\d+: )/), role).toEqual([...expected.slice(0, -1), `${expected[expected.length - 1]}\n${expected.length} errors in ${expected.length} files`]);
      }
    }
  });

  it("in memory: each name in each role gives the determination its rule gives", () => {
    expect(Object.fromEntries(cases.map((c) => [c.label, summary(inMemory.get(c.label)!)]))).toEqual(Object.fromEntries(cases.map((c) => [c.label, sortedExpected(c.expected)])));
    // The traces of requests that document every name list each criterion and pathway under its own id.
    for (const c of cases.filter((x) => x.cli && (x.sweep.policyId === "SWEEP_CRITERION" || x.sweep.policyId === "SWEEP_PATHWAY"))) {
      const ids = inMemoryTraced.get(c.label)!.trace.map((t) => t.id);
      for (const slot of c.sweep.slots) expect(ids.filter((id) => id === slot.name), `${c.label}: ${slot.role} '${slot.name}' in the trace`).toHaveLength(1);
    }
    const pathways = inMemory.get("SWEEP_PATHWAY: every name off")!.pathways.map((p) => p.id);
    expect(pathways).toEqual(accepted("pathway"));
  });

  it("polc build writes a module per .pol file and per policy, and a page per policy", () => {
    for (let l = 0; l < libraries.length; l++) {
      const built = builtIn(l);
      const policies = built.flatMap((b) => b.sweeps).length;
      // A module, a page and two JSON Schemas per policy.
      const files = built.length + 4 * policies + 2;
      expect(buildRuns[l], `library ${l + 1}`).toEqual({ code: 0, out: `built ${policies} ${policies === 1 ? "policy" : "policies"}: ${files} files written, 0 unchanged`, err: "" });
      const modules = filesUnder(join(root, `gen-${l + 1}`))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => relative(join(root, `gen-${l + 1}`), f))
        .sort();
      // A file's module mirrors its place under the folder all the library's files share.
      const fileModule = (b: Built) => (built.length === 1 ? `${b.file}.ts` : `${b.folder}/${b.file}.ts`);
      expect(modules).toEqual([...built.map(fileModule), ...built.flatMap((b) => b.sweeps.map((s) => `${policySlug(s.policyId)}.ts`))].sort());
    }
  });

  it("tsc type-checks every generated module of the sweep under strict, in one program", () => {
    const modules = libraries.flatMap((_, l) => filesUnder(join(root, `gen-${l + 1}`)).filter((f) => f.endsWith(".ts")));
    // A module that uses the generated types, and one misuse that shows the check is real.
    const use = join(root, "gen-1", "use.ts");
    const fact = accepted("fact");
    writeFileSync(
      use,
      [
        `import { evaluate, type Input } from "./${policySlug("SWEEP_FACT")}.js";`,
        `const input: Input = { date_of_service: "2024-03-15", ${fact.filter((n) => n !== "__proto__").map((n) => `${n}: false`).join(", ")} };`,
        `export const outcome: "meets" | "does-not-meet" | "excluded" | "not-covered" | "needs-info" | "refer-for-review" = evaluate(input).outcome;`,
        `export const wrong = evaluate({ date_of_service: "2024-03-15", constructor: "yes" });`,
        "",
      ].join("\n"),
    );
    const messages = typeCheck([...modules, use]);
    expect(messages.filter((m) => !m.startsWith(`${use}:4:`))).toEqual([]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toBe(`${use}:4: Type 'string' is not assignable to type 'boolean | null | undefined'.`);
  }, 180_000);

  it("the built modules, imported, give the same determinations as in memory", async () => {
    const differences: string[] = [];
    for (const s of sweeps) {
      const library = libraryOf(builtOf(s));
      const mod = (await import(pathToFileURL(join(root, `gen-${library + 1}`, `${policySlug(s.policyId)}.ts`)).href)) as { evaluate: (input: unknown, options?: { state?: string; trace?: boolean }) => Determination };
      for (const c of cases.filter((x) => x.sweep === s)) {
        const d = mod.evaluate((JSON.parse(c.json) as { input: unknown }).input, { state: c.state, trace: false });
        if (JSON.stringify(d) !== JSON.stringify(inMemory.get(c.label))) differences.push(c.label);
      }
    }
    expect(differences).toEqual([]);
  }, 180_000);

  it("polc eval --json gives the same determinations, trace and all", async () => {
    const dir = join(root, "cases");
    mkdirSync(dir, { recursive: true });
    const differences: string[] = [];
    let n = 0;
    for (const c of cases.filter((x) => x.cli)) {
      const file = join(dir, `${n++}.json`);
      writeFileSync(file, c.json);
      const b = builtOf(c.sweep);
      const folder = folderOf(b);
      // A role's policy by its file; a policy named after a name by that name.
      const policy = b.sweeps.length === 1 && roleBuilt.includes(b) ? join(folder, b.file) : c.sweep.policyId;
      const run = await polc("eval", policy, file, "--library", folder, "--json");
      if (run.code !== 0 || run.err !== "") differences.push(`${c.label}: exit ${run.code}: ${run.err}`);
      else if (run.out !== JSON.stringify(inMemoryTraced.get(c.label), null, 2)) differences.push(c.label);
    }
    expect(differences).toEqual([]);
    expect(n).toBe(2 * roleBuilt.length + 2 * accepted("policy").length);
  }, 180_000);

  it("polc eval --batch gives the same determinations, on worker threads and without", async () => {
    const dir = join(root, "batches");
    mkdirSync(dir, { recursive: true });
    const differences: string[] = [];
    for (const b of allBuilt) {
      const library = scriptLibrary(compileFiles(polFilesUnder(folderOf(b))));
      for (const s of b.sweeps) {
        const mine = cases.filter((x) => x.sweep === s);
        const file = join(dir, `${policySlug(s.policyId)}-${b.folder}.ndjson`);
        writeFileSync(file, `${mine.map((c) => c.json).join("\n")}\n`);
        const output = new Collect();
        // One policy on worker threads (which receive the modules as text); the rest on this one.
        const workers = s.policyId === "SWEEP_FIELD" ? 2 : 0;
        const run = await runBatch(library, s.policyId, file, { workers, output, progress: false, chunkSize: 16 });
        expect(run, s.policyId).toMatchObject({ lines: mine.length, evaluated: mine.length, errors: 0 });
        const lines = output.text.trimEnd().split("\n");
        mine.forEach((c, i) => {
          if (lines[i] !== JSON.stringify(inMemory.get(c.label))) differences.push(c.label);
        });
      }
    }
    expect(differences).toEqual([]);
  }, 180_000);

  it("policies whose ids differ only in case or underscores are refused by polc check, build and eval, each pair named: neither overwrites the other", async () => {
    // Each id of the second library with the id of the first that names the same files.
    const pairs = accepted("policy")
      .filter((n) => idBuilt.some((b) => b.library === 1 && b.built.sweeps.some((s) => s.policyId === n)))
      .map((n) => [accepted("policy").find((m) => m !== n && policySlug(m) === policySlug(n))!, n] as const);
    expect(pairs.map((p) => p.join(" "))).toEqual(["_ __", "decision Decision", "Input input", "readonly Readonly", "partial Partial", "array Array", "string String", "object Object", "Duration duration"]);
    const folder = join(root, "clash");
    mkdirSync(folder, { recursive: true });
    const file = join(folder, "clash.pol");
    const line = (n: string) => `policy ${n} "Policy ${n}" { version "1" }`;
    writeFileSync(file, [`fact s_fact: boolean "A fact"`, ...pairs.flatMap(([a, b]) => [line(a), line(b)]), ""].join("\n"));
    const shown = relative(process.cwd(), file);
    const diagnostics = pairs.map(([a, b], j) => {
      const slug = policySlug(a);
      return [
        `${shown}:${3 + 2 * j}:8: error POL010: policy '${b}' would overwrite policy '${a}': both are written to ${slug}.ts and ${slug}.md`,
        ...frame(3 + 2 * j, line(b), 8, b.length),
        `  = policy ids that differ only in case or punctuation name the same files; rename one`,
        `  ${shown}:${2 + 2 * j}:8: policy '${a}' is declared here`,
      ].join("\n");
    });
    const refused = { code: 1, out: "", err: [...diagnostics, `${pairs.length} errors in 1 file`].join("\n") };
    expect(await polc("check", folder)).toEqual(refused);
    const out = join(root, "clash-out");
    expect(await polc("build", folder, "--out", join(out, "gen"), "--docs", join(out, "docs"))).toEqual(refused);
    expect(existsSync(out)).toBe(false);
    const request = join(root, "clash-case.json");
    writeFileSync(request, JSON.stringify({ date_of_service: dos, s_fact: true }));
    for (const [a, b] of pairs) {
      expect(await polc("eval", a, request, "--library", folder, "--json"), a).toEqual(refused);
      expect(await polc("eval", b, "--batch", request, "--library", folder), b).toEqual(refused);
    }
    // Each in a library of its own, each is a policy of its own (the sweep's two libraries).
    expect(buildRuns.map((r) => r.code)).toEqual([0, 0]);
  });

  it("a request whose facts include one named input is written as a case: given bare, polc eval and --batch say so", async () => {
    const b = roleBuilt.find((x) => x.folder === "fact")!;
    const bare = join(root, "bare-input.json");
    writeFileSync(bare, JSON.stringify({ date_of_service: dos, input: true }));
    expect(await polc("eval", join(folderOf(b), b.file), bare, "--library", folderOf(b), "--json")).toEqual({
      code: 2,
      out: "",
      err: [
        `polc: ${bare}:`,
        `  - 'date_of_service' is not a case field (the fields are id, description, state, input, expect, probe, unconfirmed)`,
        `  - a request with a fact or group named 'input' is written as a case: {"input": {…its facts…}}`,
        `  - 'input' must be an object of facts`,
      ].join("\n"),
    });
    const output = new Collect();
    const library = scriptLibrary(compileFiles(polFilesUnder(folderOf(b))));
    const lines = [JSON.stringify({ date_of_service: dos, input: true }), JSON.stringify({ input: { date_of_service: dos, input: true } }), JSON.stringify({ date_of_service: dos, description: true, expect: true })];
    writeFileSync(bare, `${lines.join("\n")}\n`);
    expect(await runBatch(library, "SWEEP_FACT", bare, { workers: 0, output, progress: false })).toMatchObject({ lines: 3, evaluated: 2, errors: 1 });
    const out = output.text.trimEnd().split("\n").map((l) => JSON.parse(l) as Determination & { line?: number; error?: string });
    expect(out[0]).toEqual({ line: 1, error: `'date_of_service' is not a case field (the fields are id, description, state, input, expect, probe, unconfirmed); a request with a fact or group named 'input' is written as a case: {"input": {…its facts…}}` });
    // Written as a case, it is read; facts named description and expect need no wrapping.
    expect(summary(out[1])).toMatchObject({ outcome: "does-not-meet", unmet: ["x_fact_input"] });
    expect(summary(out[2])).toMatchObject({ outcome: "does-not-meet", unmet: ["x_fact_description", "x_fact_expect"] });
  });
});
