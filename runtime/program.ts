/**
 * The checked form of a policy that a generated module embeds and `evaluate` runs. It is plain
 * data: text from a policy lives in string fields and never becomes code.
 */

export type DurationUnit = "days" | "weeks" | "months" | "years";
export type ComparisonOp = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type QueryOp = "count" | "exists" | "every" | "select" | "latest" | "earliest";
export type ValueKind = "boolean" | "number" | "date" | "duration" | "enum" | "text" | "record" | "list";

export type IrExpr =
  | { readonly k: "bool"; readonly v: boolean }
  | { readonly k: "num"; readonly v: number }
  | { readonly k: "date"; readonly v: string }
  | { readonly k: "dur"; readonly amount: number; readonly unit: DurationUnit }
  | { readonly k: "enum"; readonly v: string }
  | { readonly k: "text"; readonly v: string }
  | { readonly k: "fact"; readonly path: string }
  | { readonly k: "dos" }
  | { readonly k: "var"; readonly name: string }
  | { readonly k: "field"; readonly of: IrExpr; readonly field: string }
  | { readonly k: "and"; readonly args: readonly IrExpr[] }
  | { readonly k: "or"; readonly args: readonly IrExpr[] }
  | { readonly k: "not"; readonly arg: IrExpr }
  | { readonly k: "cmp"; readonly op: ComparisonOp; readonly a: IrExpr; readonly b: IrExpr; readonly kind: ValueKind }
  | { readonly k: "in"; readonly arg: IrExpr; readonly values: readonly string[]; readonly negated?: boolean }
  | { readonly k: "known"; readonly arg: IrExpr }
  | { readonly k: "arith"; readonly op: "+" | "-"; readonly a: IrExpr; readonly b: IrExpr; readonly kind: "number" | "date" }
  | { readonly k: "within"; readonly arg: IrExpr; readonly window: IrExpr }
  | { readonly k: "call"; readonly def: string; readonly args: readonly IrExpr[] }
  | { readonly k: "crit"; readonly id: string }
  | {
      readonly k: "query";
      readonly op: QueryOp;
      readonly binder: string;
      readonly source: IrExpr;
      readonly filter?: IrExpr;
      readonly body?: IrExpr;
      readonly merge?: { readonly a: string; readonly b: string; readonly cond: IrExpr };
    }
  | { readonly k: "span"; readonly from: IrExpr; readonly to?: IrExpr }
  | { readonly k: "later_of" | "earlier_of"; readonly args: readonly IrExpr[] }
  | { readonly k: "recent_run"; readonly list: IrExpr; readonly gap: IrExpr };

export type GroupQuantifier = "all" | "any" | "none" | "atLeast" | "atMost";

/** A criterion, pathway, checked note or bullet list, by id. */
export interface IrRequirement {
  readonly id: string;
  readonly wording: string;
  readonly refs: string;
  readonly role: "criterion" | "pathway" | "note" | "group";
  readonly when?: IrExpr;
  readonly rule?: IrExpr;
  readonly group?: { readonly quantifier: GroupQuantifier; readonly n: number; readonly items: readonly string[] };
}

export type SectionKind = "indications" | "requirements" | "exclusions" | "contraindications" | "notes" | "not-covered";

export interface IrSection {
  readonly kind: SectionKind;
  readonly title: string;
  readonly when?: IrExpr;
  readonly items: readonly string[];
}

export interface IrOverlay {
  readonly id: string;
  readonly title: string;
  readonly state: string;
  readonly applies: readonly { readonly mode: "unless" | "when"; readonly wording: string; readonly cond: IrExpr }[];
  readonly sections: readonly IrSection[];
}

export type FieldType =
  | { readonly t: "boolean" }
  | { readonly t: "number"; readonly min?: number; readonly max?: number; readonly integer?: boolean }
  | { readonly t: "date" }
  | { readonly t: "duration" }
  | { readonly t: "text" }
  | { readonly t: "enum"; readonly values: readonly string[] }
  | { readonly t: "list"; readonly record: string };

/** One input fact (or record field): where it lives, its type, and what to look for in the chart. */
export interface FactSchema {
  readonly path: string;
  readonly type: FieldType;
  readonly description: string;
}

export interface Program {
  readonly id: string;
  readonly title: string;
  readonly version: string;
  readonly sections: readonly IrSection[];
  readonly overlays: readonly IrOverlay[];
  readonly requirements: Readonly<Record<string, IrRequirement>>;
  readonly definitions: Readonly<Record<string, { readonly params: readonly string[]; readonly body: IrExpr }>>;
  readonly facts: readonly FactSchema[];
  readonly records: Readonly<Record<string, readonly FactSchema[]>>;
}
