/**
 * The one intermediate form. Lowering (lower.ts) decides here what every construct of the language
 * means, once; a back end (the TypeScript modules today) only maps these primitives to its target.
 * Declarations point at each other directly, so no back end looks a name up again.
 */
import type { ComparisonOp, DurationUnit, QueryOp, Quantifier, RequirementRole, SectionKind } from "../runtime/vocabulary.js";
import type { ScalarType } from "../runtime/schema.js";
import type { BuiltinOperation } from "./scope.js";

export interface IrLibrary {
  /** One module per `.pol` file, each after the modules it imports. */
  readonly modules: readonly IrModule[];
  readonly policies: readonly IrPolicy[];
}

/** What one `.pol` file declares, compiled once however many policies use it. */
export interface IrModule {
  readonly file: string;
  readonly enums: IrEnum[];
  readonly records: IrRecord[];
  /** Fields this file adds to records declared elsewhere (`extend record`). */
  readonly extensions: IrExtension[];
  readonly facts: IrFact[];
  readonly definitions: IrDefinition[];
  /** Bullets before the lists that hold them. */
  readonly requirements: IrRequirement[];
}

export interface IrEnum {
  readonly kind: "enum";
  readonly module: IrModule;
  readonly name: string;
  readonly doc?: string;
  readonly values: readonly { readonly name: string; readonly label?: string }[];
}

export interface IrRecord {
  readonly kind: "record";
  readonly module: IrModule;
  readonly name: string;
  readonly doc?: string;
  readonly fields: IrField[];
  /** Every extension of the record in the library, in the order lowered; a policy's input has those it sees (`IrPolicy.extensions`). */
  readonly extensions: IrExtension[];
}

/**
 * `extend record procedure { … }`: fields one file adds to a record declared in another. An entry
 * has them only in the input of a policy that sees the extension; their places in an entry come
 * after the record's own fields and every earlier extension's, so each field has one place.
 */
export interface IrExtension {
  readonly kind: "extension";
  readonly module: IrModule;
  readonly record: IrRecord;
  readonly fields: IrField[];
  readonly line: number;
}

/** A record's fields as an input sees them: its own, then those its extensions add. */
export function fieldsOf(record: IrRecord, extensions: readonly IrExtension[]): readonly IrField[] {
  const added = extensions.filter((x) => x.record === record);
  return added.length === 0 ? record.fields : [...record.fields, ...added.flatMap((x) => x.fields)];
}

export interface IrField {
  readonly kind: "field";
  readonly record: IrRecord;
  /** The extension that adds it, for a field a file adds to a record declared elsewhere. */
  readonly extension?: IrExtension;
  readonly index: number;
  readonly name: string;
  readonly type: IrType;
  readonly description: string;
}

/** A type as the runtime has it, with the enum or record it names. */
export type IrType =
  | ScalarType
  | { readonly t: "enum"; readonly enum: IrEnum }
  | { readonly t: "list"; readonly record: IrRecord };

/** How the author read ambiguous guideline text (`reading "…"`), and the name of what it explains. */
export interface IrReading {
  readonly text: string;
  readonly of: string;
  /** The part of the wording it reads (`reading of "…":`), which the rule states differently on purpose. */
  readonly fragment?: string;
}

export interface IrGroup {
  readonly name: string;
  readonly doc?: string;
  readonly readings: readonly IrReading[];
}

export interface IrFact {
  readonly kind: "fact";
  readonly module: IrModule;
  /** Where it lives in the input: `pain.average`. */
  readonly path: string;
  readonly name: string;
  readonly type: IrType;
  readonly description: string;
  /** The groups it stands in, outermost first. */
  readonly groups: readonly IrGroup[];
  readonly line: number;
  /**
   * Declared `absent unless documented`: a finding the chart mentions only when present. When the
   * request leaves it out it reads as absent (a boolean false, a list without entries), and the
   * determination states the assumption wherever it decided something.
   */
  readonly absentUnlessDocumented?: { readonly reason?: string };
  /** Its own readings (those of its groups are on the groups). */
  readonly readings: readonly IrReading[];
}

/** A parameter's type: any type a fact may have, or one entry of a record (`p: procedure`). */
export type IrParamType = IrType | { readonly t: "record"; readonly record: IrRecord };

export interface IrParam {
  readonly name: string;
  readonly type: IrParamType;
}

export interface IrDefinition {
  readonly kind: "define";
  readonly module: IrModule;
  readonly name: string;
  readonly wording?: string;
  readonly refs: string;
  readonly params: readonly IrParam[];
  readonly body: IrExpr;
  readonly line: number;
  readonly readings: readonly IrReading[];
}

export interface IrBulletList {
  readonly quantifier: Quantifier;
  readonly n: number;
  readonly items: readonly IrRequirement[];
}

export interface IrRequirement {
  readonly kind: "requirement";
  readonly module: IrModule;
  readonly id: string;
  readonly role: RequirementRole;
  readonly wording: string;
  readonly refs: string;
  readonly line: number;
  readonly when?: IrExpr;
  readonly test?: IrExpr;
  readonly list?: IrBulletList;
  /** What the rule only approximates of the wording, and why. */
  readonly approximated?: string;
  /** Its own readings. */
  readonly readings: readonly IrReading[];
}

export interface IrSection {
  readonly kind: SectionKind;
  readonly title: string;
  readonly when?: IrExpr;
  readonly items: readonly IrRequirement[];
}

export interface IrAppliesClause {
  readonly mode: "unless" | "when";
  readonly wording: string;
  readonly test: IrExpr;
}

export interface IrOverlay {
  readonly id: string;
  readonly title: string;
  readonly state: string;
  readonly file: string;
  readonly applies: readonly IrAppliesClause[];
  readonly sections: readonly IrSection[];
  readonly services: readonly IrService[];
}

/** A service line the request may ask for besides the main one, decided by its own sections. */
export interface IrService {
  readonly id: string;
  readonly wording: string;
  readonly refs: string;
  /** Whether the request asks for it. */
  readonly when?: IrExpr;
  readonly sections: readonly IrSection[];
}

export interface IrPolicy {
  readonly id: string;
  readonly title: string;
  readonly version: string;
  readonly file: string;
  readonly properties: readonly { readonly key: string; readonly value: string }[];
  readonly effective: { readonly from: string; readonly to: string } | null;
  /** The digest of the policy's sources (sources-digest.ts), set by the compile step after lowering. */
  readonly digest?: string;
  readonly cpt: readonly { readonly region: string; readonly codes: readonly string[] }[];
  readonly sections: readonly IrSection[];
  readonly services: readonly IrService[];
  readonly overlays: readonly IrOverlay[];
  /** Every fact the policy and its overlays read, in the order they are first reached. */
  readonly facts: readonly IrFact[];
  /** Every requirement its sections and overlays reach (bullets, and criteria named in rules), in that order. */
  readonly requirements: readonly IrRequirement[];
  /** The records of its list facts, nested ones included, in the same order. */
  readonly records: readonly IrRecord[];
  /** The extensions of records its input has: those its file, its overlays' files and the policies it consults see. */
  readonly extensions: readonly IrExtension[];
  /**
   * Every policy its criteria read through `meets` (those policies' own included, transitively),
   * by the name written after `meets`: one policy, or a guideline's versions.
   */
  readonly consults: ReadonlyMap<string, readonly IrPolicy[]>;
}

/** A declaration a module exports and another may import. */
export type IrDeclaration = IrEnum | IrRecord | IrField | IrFact | IrDefinition | IrRequirement;

export type IrExpr =
  | { readonly k: "bool"; readonly v: boolean }
  | { readonly k: "num"; readonly v: number }
  | { readonly k: "text"; readonly v: string }
  | { readonly k: "enum"; readonly v: string }
  | { readonly k: "date"; readonly v: string }
  | { readonly k: "dur"; readonly amount: number; readonly unit: DurationUnit }
  /** Spinal levels written in the policy, as the text that names them ("L4-5, L5-S1"). */
  | { readonly k: "levels"; readonly v: string }
  /** No value: what a case over an entry that does not exist gives. */
  | { readonly k: "none" }
  /** Whether a value is no value (of an entry that does not exist); unknown only while which entry is open. */
  | { readonly k: "absent"; readonly arg: IrExpr }
  | { readonly k: "fact"; readonly fact: IrFact }
  | { readonly k: "dos" }
  /** A definition's parameter or a query's entry. */
  | { readonly k: "var"; readonly name: string }
  | { readonly k: "field"; readonly of: IrExpr; readonly field: IrField }
  | { readonly k: "and"; readonly args: readonly IrExpr[] }
  | { readonly k: "or"; readonly args: readonly IrExpr[] }
  | { readonly k: "not"; readonly arg: IrExpr }
  /** `kind` says how the operands compare: as numbers (counts may be ranges), dates, durations, or only for equality. */
  | { readonly k: "cmp"; readonly op: ComparisonOp; readonly a: IrExpr; readonly b: IrExpr; readonly kind: "number" | "date" | "duration" | "equality" }
  | { readonly k: "in"; readonly arg: IrExpr; readonly values: readonly string[]; readonly negated: boolean }
  | { readonly k: "known"; readonly arg: IrExpr }
  /** `number` on numbers and counts, `date` a date moved by a duration, `duration` a duration scaled by a number. */
  | { readonly k: "arith"; readonly op: "+" | "-" | "*" | "/"; readonly a: IrExpr; readonly b: IrExpr; readonly kind: "number" | "date" | "duration" }
  /** A clause left to a clinician: referred when the condition holds (always without one), not met otherwise. */
  | { readonly k: "refer"; readonly clause: string; readonly refs: string; readonly when?: IrExpr }
  /**
   * Another policy's determination on the same request: true when it meets, false when it does
   * not meet, is excluded or not covered, unknown (on its open facts or referrals) otherwise. With
   * several versions, the one in force on the date of service.
   */
  | { readonly k: "meets"; readonly name: string; readonly versions: readonly IrPolicy[] }
  /** `if`: when the condition is unknown, the answer is the branches' common value, or unknown. */
  | { readonly k: "if"; readonly cond: IrExpr; readonly then: IrExpr; readonly else: IrExpr }
  /** A built-in function of values, by the runtime operation it is. */
  | { readonly k: "fn"; readonly fn: BuiltinOperation; readonly args: readonly IrExpr[] }
  | { readonly k: "within"; readonly arg: IrExpr; readonly window: IrExpr }
  | { readonly k: "span"; readonly from: IrExpr; readonly to?: IrExpr }
  | { readonly k: "call"; readonly def: IrDefinition; readonly args: readonly IrExpr[] }
  | { readonly k: "crit"; readonly req: IrRequirement }
  | {
      readonly k: "query";
      readonly op: QueryOp;
      readonly binder: string;
      readonly source: IrExpr;
      readonly filter?: IrExpr;
      readonly body?: IrExpr;
      readonly merge?: IrMerge;
      /** Entries with the same keys count once. */
      readonly keys?: readonly IrExpr[];
      /** The most in any window of this length. */
      readonly window?: IrExpr;
      /** How the filter splits into a part the same for every use and a comparison of dates (see IrDated). */
      readonly dated?: IrDated;
      /**
       * Set by lowering on a question asked inside another question (in its filter, body, keys or
       * pairing condition) that reads no variable: it gives the same for every entry the outer one
       * weighs, so it is worked out once per evaluation, like a definition without parameters.
       */
      readonly once?: boolean;
    }
  | { readonly k: "later_of" | "earlier_of"; readonly args: readonly IrExpr[] }
  | { readonly k: "recent_run"; readonly list: IrExpr; readonly gap: IrExpr };

/**
 * `counting a and b as one when COND`. `window`, set by lowering, is the conjunct of COND that
 * bounds how far apart the two entries' dates may be (`a.date = b.date`, `time between a.date and
 * b.date <= 1 month`, or between `earlier_of` and `later_of` of them): with the entries in date
 * order, it is false for every pair further apart than the first pair it is false for, and then
 * COND is false. COND still holds the whole condition; the window only tells how far to look.
 */
export interface IrMerge {
  readonly a: string;
  readonly b: string;
  readonly cond: IrExpr;
  readonly window?: IrExpr;
}

/**
 * Set by lowering on an `exists` or a `count` asked inside another question whose filter ends in
 * a comparison of the entry's date with a value that does not depend on the entry (`s.date after
 * p.date`), when the list and the rest of the filter depend on nothing but the entry: the rest
 * then gives the same for every entry of the outer question, and each is answered from the dates
 * of the entries the rest leaves in. `filter` still holds the whole condition (its meaning); this
 * only names its parts.
 */
export interface IrDated {
  /** The filter without its last comparison (none when the comparison is the whole filter). */
  readonly rest?: IrExpr;
  /** The entry's date, as the comparison reads it. */
  readonly entryDate: IrExpr;
  readonly op: "<" | "<=" | ">" | ">=";
  /** What the entry's date is compared with: an outer entry's date (`p.date`). */
  readonly other: IrExpr;
  /** Whether the entry's date is the comparison's left operand. */
  readonly entryFirst: boolean;
}

/**
 * The variables an expression reads that it does not bind itself: a query binds its entry in its
 * filter, body and keys, and the two entries of `counting … as one` in the condition.
 */
export function freeVariables(e: IrExpr, found: Set<string> = new Set(), bound: ReadonlySet<string> = new Set()): Set<string> {
  if (e.k === "var") {
    if (!bound.has(e.name)) found.add(e.name);
    return found;
  }
  if (e.k === "query") {
    freeVariables(e.source, found, bound);
    if (e.window) freeVariables(e.window, found, bound);
    const inner = new Set(bound).add(e.binder);
    for (const sub of [e.filter, e.body, ...(e.keys ?? [])]) if (sub) freeVariables(sub, found, inner);
    if (e.merge) freeVariables(e.merge.cond, found, new Set(bound).add(e.merge.a).add(e.merge.b));
    return found;
  }
  // Bounded: nesting is limited to 128 levels.
  for (const sub of subexpressions(e)) freeVariables(sub, found, bound);
  return found;
}

/**
 * The readings a determination's trace quotes for a requirement: its own, then those of the
 * definitions its `when` and rule use (through other definitions too) and of the facts they read,
 * with the facts' groups, each once, in the order first reached. Another criterion the rule names
 * has its own entry in the trace, so its readings are not repeated here.
 */
export function explainingReadings(r: IrRequirement): IrReading[] {
  const out: IrReading[] = [...r.readings];
  const seen = new Set<IrDefinition | IrFact | IrGroup>();
  const add = (readings: readonly IrReading[]) => {
    for (const reading of readings) if (!out.includes(reading)) out.push(reading);
  };
  // Bounded: nesting is limited to 128 levels, and each definition is entered once.
  const visit = (e: IrExpr): void => {
    if (e.k === "fact") {
      if (seen.has(e.fact)) return;
      seen.add(e.fact);
      for (const g of e.fact.groups) if (!seen.has(g)) (seen.add(g), add(g.readings));
      add(e.fact.readings);
      return;
    }
    if (e.k === "crit") return;
    for (const sub of subexpressions(e)) visit(sub);
    if (e.k === "call" && !seen.has(e.def)) {
      seen.add(e.def);
      add(e.def.readings);
      visit(e.def.body);
    }
  };
  if (r.when) visit(r.when);
  if (r.test) visit(r.test);
  return out;
}

/** The expressions directly under an expression, in the order they are evaluated. */
export function subexpressions(e: IrExpr): readonly IrExpr[] {
  switch (e.k) {
    case "field":
      return [e.of];
    case "and":
    case "or":
    case "later_of":
    case "earlier_of":
      return e.args;
    case "not":
    case "known":
    case "absent":
      return [e.arg];
    case "in":
      return [e.arg];
    case "cmp":
    case "arith":
      return [e.a, e.b];
    case "within":
      return [e.arg, e.window];
    case "span":
      return e.to ? [e.from, e.to] : [e.from];
    case "call":
    case "fn":
      return e.args;
    case "refer":
      return e.when ? [e.when] : [];
    case "if":
      return [e.cond, e.then, e.else];
    case "query":
      return [e.source, ...(e.filter ? [e.filter] : []), ...(e.body ? [e.body] : []), ...(e.merge ? [e.merge.cond] : []), ...(e.keys ?? []), ...(e.window ? [e.window] : [])];
    case "recent_run":
      return [e.list, e.gap];
    default:
      return [];
  }
}
