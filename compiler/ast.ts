/**
 * The abstract syntax of pol. Every node is readonly, tagged by `kind`, and keeps the span of
 * source it came from, so that every later diagnostic can point at it. `childKeys` lists, for each
 * kind, the fields that hold child nodes; `children` and `walk` read it, so that no pass writes
 * its own traversal of the tree.
 */
import type { DurationUnit, QueryOp, Quantifier, SectionKind } from "../runtime/vocabulary.js";

export type { DurationUnit, QueryOp, Quantifier, SectionKind };

export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

interface NodeBase {
  readonly span: Span;
}

/** `reading "…"`: how the author read ambiguous guideline text, attached to what it explains. */
export interface Reading {
  readonly text: string;
  /** `reading of "…":` the part of the wording it reads, which the rule states differently on purpose. */
  readonly fragment?: string;
  readonly span: Span;
}

/** A declaration, section or bullet that readings may explain. */
interface Explained {
  readonly readings?: readonly Reading[];
}

export interface Named {
  readonly name: string;
  readonly nameSpan: Span;
}

export interface PolFile extends NodeBase {
  readonly kind: "File";
  readonly path: string;
  readonly imports: readonly ImportDecl[];
  readonly declarations: readonly Declaration[];
  readonly policies: readonly PolicyDecl[];
  readonly overlays: readonly OverlayDecl[];
}

export interface ImportDecl extends NodeBase {
  readonly kind: "Import";
  readonly path: string;
  /** `import "…" as nia`: the file's names are reached as `nia.NAME` only. */
  readonly alias?: string;
  readonly aliasSpan?: Span;
}

export type Declaration = FactDecl | GroupDecl | EnumDecl | RecordDecl | ExtendDecl | DefineDecl | RequirementDecl;

export interface TypeRef extends NodeBase {
  readonly kind: "TypeRef";
  readonly name: string;
  /** The name a file is imported under, for `nia.procedure`. */
  readonly namespace?: string;
  readonly list: boolean;
  readonly range?: { readonly min: number; readonly max: number };
}

export interface FactDecl extends Named, NodeBase, Explained {
  readonly kind: "Fact";
  readonly type: TypeRef;
  readonly doc?: string;
  /** `absent unless documented "why"`: the chart mentions the finding only when present. */
  readonly absentUnlessDocumented?: AbsenceReading;
}

/** How an undocumented fact is read when the author declares it charted only when present. */
export interface AbsenceReading {
  /** Why the guideline's finding is taken as absent when the chart is silent, as the author wrote it. */
  readonly reason?: string;
  readonly span: Span;
}

export interface GroupDecl extends Named, NodeBase, Explained {
  readonly kind: "Group";
  readonly doc?: string;
  readonly members: readonly (FactDecl | GroupDecl)[];
}

export interface EnumMember extends Named, NodeBase {
  readonly kind: "EnumMember";
  readonly label?: string;
}

export interface EnumDecl extends Named, NodeBase, Explained {
  readonly kind: "Enum";
  readonly doc?: string;
  readonly members: readonly EnumMember[];
}

export interface FieldDecl extends Named, NodeBase {
  readonly kind: "FieldDecl";
  readonly type: TypeRef;
  readonly doc?: string;
}

export interface RecordDecl extends Named, NodeBase, Explained {
  readonly kind: "Record";
  readonly doc?: string;
  readonly fields: readonly FieldDecl[];
}

/**
 * `extend record procedure { relief_hours: duration "…" }`: fields one file adds to a record
 * declared elsewhere (a shared history), seen by that file and the files that import it. Its name
 * is the record's.
 */
export interface ExtendDecl extends Named, NodeBase, Explained {
  readonly kind: "Extend";
  /** The name a file is imported under, for `extend record nia.procedure`. */
  readonly namespace?: string;
  readonly fields: readonly FieldDecl[];
}

export interface Param extends Named, NodeBase {
  readonly kind: "Param";
  readonly type: TypeRef;
}

export interface DefineDecl extends Named, NodeBase, Explained {
  readonly kind: "Define";
  readonly params: readonly Param[];
  readonly wording?: string;
  readonly refs: readonly RefRange[];
  /** What the rule only approximates of the wording, and why (`approximated "…"`). */
  readonly approximated?: string;
  readonly body: Expr;
}

/** A citation `[2-5]`: reference numbers from the guideline's reference list. */
export interface RefRange extends NodeBase {
  readonly kind: "RefRange";
  readonly from: number;
  readonly to: number;
}

/** A named criterion or pathway: the guideline's wording and the rule that checks it. */
export interface RequirementDecl extends Named, NodeBase, Explained {
  readonly kind: "Requirement";
  readonly role: "criterion" | "pathway";
  readonly wording: string;
  readonly refs: readonly RefRange[];
  /** What the rule only approximates of the wording, and why (`approximated "…"`). */
  readonly approximated?: string;
  readonly when?: Expr;
  readonly body: Expr | GroupBody;
}

/** A bullet list: `all of "ALL of the following" { … }`. */
export interface GroupBody extends NodeBase, Explained {
  readonly kind: "GroupBody";
  readonly quantifier: Quantifier;
  /** For at least / at most. */
  readonly n: number;
  readonly wording?: string;
  readonly refs: readonly RefRange[];
  readonly items: readonly Item[];
}

export interface UseItem extends NodeBase, Explained {
  readonly kind: "Use";
  readonly name: string;
  /** The name a file is imported under, for `use nia.severe_pain`. */
  readonly namespace?: string;
}

/** Text from the guideline; with a name and a rule it is also checked. */
export interface NoteItem extends NodeBase, Explained {
  readonly kind: "Note";
  readonly name?: string;
  readonly nameSpan?: Span;
  readonly text: string;
  readonly refs: readonly RefRange[];
  readonly when?: Expr;
  readonly rule?: Expr;
  /** What the rule only approximates of the text, and why. */
  readonly approximated?: string;
  /** Why no rule can check this text (`not expressible "…"`). */
  readonly notExpressible?: string;
}

export type Item = RequirementDecl | UseItem | NoteItem | GroupBody;

export interface Section extends NodeBase, Explained {
  readonly kind: "Section";
  readonly sectionKind: SectionKind;
  readonly title: string;
  readonly refs: readonly RefRange[];
  readonly when?: Expr;
  readonly items: readonly Item[];
}

export interface Property extends NodeBase {
  readonly kind: "Property";
  readonly key: string;
  readonly value: string;
}

export interface CptCode extends NodeBase {
  readonly kind: "CptCode";
  readonly code: string;
  readonly addOn: boolean;
}

export interface CptGroup extends NodeBase {
  readonly kind: "CptGroup";
  readonly label: string;
  readonly codes: readonly CptCode[];
}

export interface Effective extends NodeBase {
  readonly kind: "Effective";
  readonly from: string;
  readonly to: string;
}

export interface Reference extends NodeBase {
  readonly kind: "Reference";
  readonly number: number;
  readonly text: string;
}

export interface HistoryEntry extends NodeBase {
  readonly kind: "HistoryEntry";
  readonly date: string;
  readonly summary: string;
}

export interface AppliesClause extends NodeBase, Explained {
  readonly kind: "Applies";
  readonly mode: "unless" | "when";
  readonly wording?: string;
  readonly refs: readonly RefRange[];
  readonly condition: Expr;
}

/** A service line the request may ask for besides the main one (anesthesia with an injection): its own sections and outcome. */
export interface ServiceDecl extends Named, NodeBase, Explained {
  readonly kind: "Service";
  readonly wording: string;
  readonly refs: readonly RefRange[];
  /** Whether the request asks for this service. */
  readonly when?: Expr;
  readonly sections: readonly Section[];
}

interface DocumentBody {
  readonly properties: readonly Property[];
  readonly services: readonly ServiceDecl[];
  readonly cpt: readonly CptGroup[];
  readonly effective?: Effective;
  readonly sections: readonly Section[];
  readonly applies: readonly AppliesClause[];
  readonly references: readonly Reference[];
  readonly history: readonly HistoryEntry[];
  /** Where each member stands in the source, so that docs follow the author's order. */
  readonly order: readonly ("section" | "references" | "history" | "service")[];
}

export interface PolicyDecl extends Named, NodeBase, DocumentBody, Explained {
  readonly kind: "Policy";
  readonly title: string;
}

export interface OverlayDecl extends Named, NodeBase, DocumentBody, Explained {
  readonly kind: "Overlay";
  readonly title: string;
  readonly refs: readonly RefRange[];
  readonly target: string;
  readonly targetSpan: Span;
  readonly state: string;
}

// ── Expressions ──────────────────────────────────────────────────────────────────────────────

export type Expr = NumberLit | TextLit | DateLit | BoolLit | RefExpr | FieldExpr | BinaryExpr | NotExpr | InExpr | KnownExpr | QueryExpr | TimeExpr | ReferExpr | MeetsExpr | IfExpr | CaseExpr;

export interface NumberLit extends NodeBase {
  readonly kind: "Number";
  readonly value: number;
  readonly unit?: "percent" | DurationUnit;
}

/** A quoted text in a condition, compared with a text fact: `request.level = "C3-4"`. */
export interface TextLit extends NodeBase {
  readonly kind: "Text";
  readonly value: string;
}

export interface DateLit extends NodeBase {
  readonly kind: "Date";
  readonly value: string;
}

export interface BoolLit extends NodeBase {
  readonly kind: "Bool";
  readonly value: boolean;
  /** Stands where the parser recovered from a syntax error: already reported, never checked. */
  readonly recovered?: boolean;
}

export interface RefExpr extends NodeBase {
  readonly kind: "Ref";
  readonly name: string;
  /** The name a file is imported under: `nia.region_injections` is `region_injections` of that file. */
  readonly namespace?: string;
  readonly args?: readonly Expr[];
}

export interface FieldExpr extends NodeBase {
  readonly kind: "Field";
  readonly object: Expr;
  readonly field: string;
  readonly fieldSpan: Span;
}

export type BinaryOp = "and" | "or" | "unless" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "before" | "after" | "within";

export interface BinaryExpr extends NodeBase {
  readonly kind: "Binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly opSpan: Span;
}

export interface NotExpr extends NodeBase {
  readonly kind: "Not";
  readonly operand: Expr;
}

export interface SetMember extends NodeBase {
  readonly kind: "SetMember";
  readonly name: string;
}

export interface InExpr extends NodeBase {
  readonly kind: "In";
  readonly operand: Expr;
  readonly members: readonly SetMember[];
  readonly negated: boolean;
}

export interface KnownExpr extends NodeBase {
  readonly kind: "Known";
  readonly operand: Expr;
  readonly negated: boolean;
}

/** `counting p and q as one when …` */
export interface MergeClause extends NodeBase {
  readonly kind: "Merge";
  readonly first: string;
  readonly second: string;
  readonly condition: Expr;
}

export interface QueryExpr extends NodeBase {
  readonly kind: "Query";
  readonly op: QueryOp;
  readonly binder: string;
  readonly binderSpan: Span;
  readonly source: Expr;
  readonly filter?: Expr;
  readonly body?: Expr;
  readonly merge?: MergeClause;
  /** `one per KEY and KEY`: entries with the same keys count once. */
  readonly keys?: readonly Expr[];
  /** `in any DURATION`: the most in any window of that length. */
  readonly window?: Expr;
}

/** `refer "clause" [refs] when CONDITION`: a decision the guideline leaves to a clinician. */
export interface ReferExpr extends NodeBase {
  readonly kind: "Refer";
  readonly clause: string;
  readonly refs: readonly RefRange[];
  readonly condition?: Expr;
}

/** `meets NCD_160_7`: another policy's determination on the same request, as a condition. */
export interface MeetsExpr extends NodeBase {
  readonly kind: "Meets";
  /** A policy's id, or a guideline's name (its version in force on the date of service). */
  readonly policy: string;
  readonly policySpan: Span;
  /** The name a file is imported under, for `meets ncd.NCD_160_7`. */
  readonly namespace?: string;
}

/** `if C then A else B`. */
export interface IfExpr extends NodeBase {
  readonly kind: "If";
  readonly condition: Expr;
  readonly then: Expr;
  readonly otherwise: Expr;
}

/** One arm of a case: the enum values it is for (none for `else`), and its value. */
export interface CaseArm extends NodeBase {
  readonly kind: "CaseArm";
  readonly values: readonly SetMember[];
  readonly value: Expr;
}

/** `case X { a or b: A, c: B, else: C }`. */
export interface CaseExpr extends NodeBase {
  readonly kind: "Case";
  readonly subject: Expr;
  readonly arms: readonly CaseArm[];
}

/** `time since d` (to the date of service) or `time between a and b`. */
export interface TimeExpr extends NodeBase {
  readonly kind: "Time";
  readonly from: Expr;
  readonly to?: Expr;
}

// ── Traversal ────────────────────────────────────────────────────────────────────────────────

export type Node =
  | PolFile
  | ImportDecl
  | TypeRef
  | FactDecl
  | GroupDecl
  | EnumMember
  | EnumDecl
  | FieldDecl
  | RecordDecl
  | ExtendDecl
  | Param
  | DefineDecl
  | RefRange
  | RequirementDecl
  | GroupBody
  | UseItem
  | NoteItem
  | Section
  | Property
  | CptCode
  | CptGroup
  | Effective
  | Reference
  | HistoryEntry
  | AppliesClause
  | PolicyDecl
  | OverlayDecl
  | SetMember
  | MergeClause
  | ServiceDecl
  | CaseArm
  | Expr;

export type NodeKind = Node["kind"];
type NodeOf<K extends NodeKind> = Extract<Node, { kind: K }>;
/** The fields of a node that hold a child node or a list of them. */
type ChildKey<K extends NodeKind> = {
  [F in keyof NodeOf<K>]-?: NonNullable<NodeOf<K>[F]> extends Node | readonly Node[] ? F : never;
}[keyof NodeOf<K>];

/** For every kind of node, the fields holding its children, in source order. A new kind without an entry fails the build. */
export const childKeys: { readonly [K in NodeKind]: readonly ChildKey<K>[] } = {
  File: ["imports", "declarations", "policies", "overlays"],
  Import: [],
  TypeRef: [],
  Fact: ["type"],
  Group: ["members"],
  EnumMember: [],
  Enum: ["members"],
  FieldDecl: ["type"],
  Record: ["fields"],
  Extend: ["fields"],
  Param: ["type"],
  Define: ["params", "refs", "body"],
  RefRange: [],
  Requirement: ["refs", "when", "body"],
  GroupBody: ["refs", "items"],
  Use: [],
  Note: ["refs", "when", "rule"],
  Section: ["refs", "when", "items"],
  Property: [],
  CptCode: [],
  CptGroup: ["codes"],
  Effective: [],
  Reference: [],
  HistoryEntry: [],
  Applies: ["refs", "condition"],
  Policy: ["properties", "cpt", "effective", "sections", "services", "applies", "references", "history"],
  Overlay: ["refs", "properties", "cpt", "effective", "sections", "services", "applies", "references", "history"],
  Service: ["refs", "when", "sections"],
  CaseArm: ["values", "value"],
  SetMember: [],
  Merge: ["condition"],
  Number: [],
  Text: [],
  Date: [],
  Bool: [],
  Ref: ["args"],
  Field: ["object"],
  Binary: ["left", "right"],
  Not: ["operand"],
  In: ["operand", "members"],
  Known: ["operand"],
  Query: ["source", "filter", "body", "merge", "keys", "window"],
  Time: ["from", "to"],
  Refer: ["refs", "condition"],
  Meets: [],
  If: ["condition", "then", "otherwise"],
  Case: ["subject", "arms"],
};

/** The children of a node, in source order. */
export function children(node: Node): Node[] {
  const out: Node[] = [];
  const record = node as unknown as Readonly<Record<string, unknown>>;
  for (const key of childKeys[node.kind] as readonly string[]) {
    const value = record[key];
    if (Array.isArray(value)) out.push(...(value as Node[]));
    else if (value !== undefined) out.push(value as Node);
  }
  return out;
}

/**
 * Visits a node and everything under it, parents before children, in source order. It keeps its
 * own stack, so a chain of thousands of `and`s is walked without deep recursion. Returning false
 * from `visit` skips a node's children.
 */
export function walk(root: Node, visit: (node: Node) => boolean | void): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    const kids = children(node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
}
