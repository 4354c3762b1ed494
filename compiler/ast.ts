/**
 * The abstract syntax of pol. Every node is readonly, tagged by `kind`, and keeps the span of
 * source it came from so that every later diagnostic can point at it.
 */

export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

export interface Named {
  readonly name: string;
  readonly nameSpan: Span;
}

export interface PolFile {
  readonly kind: "File";
  readonly path: string;
  readonly imports: readonly ImportDecl[];
  readonly declarations: readonly Declaration[];
  readonly policies: readonly PolicyDecl[];
  readonly overlays: readonly OverlayDecl[];
}

export interface ImportDecl {
  readonly kind: "Import";
  readonly path: string;
  readonly span: Span;
}

export type Declaration = FactDecl | GroupDecl | EnumDecl | RecordDecl | DefineDecl | RequirementDecl;

export interface TypeRef {
  readonly kind: "TypeRef";
  readonly name: string;
  readonly list: boolean;
  readonly range?: { readonly min: number; readonly max: number };
  readonly span: Span;
}

export interface FactDecl extends Named {
  readonly kind: "Fact";
  readonly type: TypeRef;
  readonly doc?: string;
  readonly span: Span;
}

export interface GroupDecl extends Named {
  readonly kind: "Group";
  readonly doc?: string;
  readonly members: readonly (FactDecl | GroupDecl)[];
  readonly span: Span;
}

export interface EnumMember extends Named {
  readonly label?: string;
}

export interface EnumDecl extends Named {
  readonly kind: "Enum";
  readonly doc?: string;
  readonly members: readonly EnumMember[];
  readonly span: Span;
}

export interface FieldDecl extends Named {
  readonly type: TypeRef;
  readonly doc?: string;
}

export interface RecordDecl extends Named {
  readonly kind: "Record";
  readonly doc?: string;
  readonly fields: readonly FieldDecl[];
  readonly span: Span;
}

export interface Param extends Named {
  readonly type: TypeRef;
}

export interface DefineDecl extends Named {
  readonly kind: "Define";
  readonly params: readonly Param[];
  readonly wording?: string;
  readonly refs: readonly RefRange[];
  readonly body: Expr;
  readonly span: Span;
}

/** A citation `[2-5]`: reference numbers from the guideline's reference list. */
export interface RefRange {
  readonly from: number;
  readonly to: number;
  readonly span: Span;
}

/** A named criterion or pathway: the guideline's wording and the rule that checks it. */
export interface RequirementDecl extends Named {
  readonly kind: "Requirement";
  readonly role: "criterion" | "pathway";
  readonly wording: string;
  readonly refs: readonly RefRange[];
  readonly when?: Expr;
  readonly body: Expr | GroupBody;
  readonly span: Span;
}

export type Quantifier =
  | { readonly kind: "all" }
  | { readonly kind: "any" }
  | { readonly kind: "none" }
  | { readonly kind: "atLeast"; readonly n: number }
  | { readonly kind: "atMost"; readonly n: number };

/** A bullet list: `all of "ALL of the following" { … }`. */
export interface GroupBody {
  readonly kind: "GroupBody";
  readonly quantifier: Quantifier;
  readonly wording?: string;
  readonly refs: readonly RefRange[];
  readonly items: readonly Item[];
  readonly span: Span;
}

export interface UseItem {
  readonly kind: "Use";
  readonly name: string;
  readonly span: Span;
}

/** Text from the guideline; with a name and a rule it is also checked. */
export interface NoteItem {
  readonly kind: "Note";
  readonly name?: string;
  readonly nameSpan?: Span;
  readonly text: string;
  readonly refs: readonly RefRange[];
  readonly when?: Expr;
  readonly rule?: Expr;
  readonly span: Span;
}

export type Item = RequirementDecl | UseItem | NoteItem | GroupBody;

export type SectionKind = "indications" | "requirements" | "exclusions" | "contraindications" | "notes" | "not-covered";

export interface Section {
  readonly kind: "Section";
  readonly sectionKind: SectionKind;
  readonly title: string;
  readonly refs: readonly RefRange[];
  readonly when?: Expr;
  readonly items: readonly Item[];
  readonly span: Span;
}

export interface Property {
  readonly key: string;
  readonly value: string;
  readonly span: Span;
}

export interface CptGroup {
  readonly label: string;
  readonly codes: readonly { readonly code: string; readonly addOn: boolean }[];
  readonly span: Span;
}

export interface Reference {
  readonly number: number;
  readonly text: string;
  readonly span: Span;
}

export interface HistoryEntry {
  readonly date: string;
  readonly summary: string;
}

export interface AppliesClause {
  readonly mode: "unless" | "when";
  readonly wording?: string;
  readonly refs: readonly RefRange[];
  readonly condition: Expr;
  readonly span: Span;
}

interface DocumentBody {
  readonly properties: readonly Property[];
  readonly cpt: readonly CptGroup[];
  readonly effective?: { readonly from: string; readonly to: string; readonly span: Span };
  readonly sections: readonly Section[];
  readonly applies: readonly AppliesClause[];
  readonly references: readonly Reference[];
  readonly history: readonly HistoryEntry[];
  /** Where each member stands in the source, so that docs follow the author's order. */
  readonly order: readonly ("section" | "references" | "history")[];
}

export interface PolicyDecl extends Named, DocumentBody {
  readonly kind: "Policy";
  readonly title: string;
  readonly span: Span;
}

export interface OverlayDecl extends Named, DocumentBody {
  readonly kind: "Overlay";
  readonly title: string;
  readonly refs: readonly RefRange[];
  readonly target: string;
  readonly targetSpan: Span;
  readonly state: string;
  readonly span: Span;
}

// ── Expressions ──────────────────────────────────────────────────────────────────────────────

export type DurationUnit = "days" | "weeks" | "months" | "years";

export type Expr =
  | NumberLit
  | TextLit
  | DateLit
  | BoolLit
  | RefExpr
  | FieldExpr
  | BinaryExpr
  | NotExpr
  | InExpr
  | KnownExpr
  | QueryExpr
  | TimeExpr;

export interface NumberLit {
  readonly kind: "Number";
  readonly value: number;
  readonly unit?: "percent" | DurationUnit;
  readonly span: Span;
}

/** A quoted text in a condition, compared with a text fact: `request.level = "C3-4"`. */
export interface TextLit {
  readonly kind: "Text";
  readonly value: string;
  readonly span: Span;
}

export interface DateLit {
  readonly kind: "Date";
  readonly value: string;
  readonly span: Span;
}

export interface BoolLit {
  readonly kind: "Bool";
  readonly value: boolean;
  readonly span: Span;
  /** Stands where the parser recovered from a syntax error: already reported, never checked. */
  readonly recovered?: boolean;
}

export interface RefExpr {
  readonly kind: "Ref";
  readonly name: string;
  readonly args?: readonly Expr[];
  readonly span: Span;
}

export interface FieldExpr {
  readonly kind: "Field";
  readonly object: Expr;
  readonly field: string;
  readonly fieldSpan: Span;
  readonly span: Span;
}

export type BinaryOp =
  | "and"
  | "or"
  | "unless"
  | "="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "before"
  | "after"
  | "within";

export interface BinaryExpr {
  readonly kind: "Binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly opSpan: Span;
  readonly span: Span;
}

export interface NotExpr {
  readonly kind: "Not";
  readonly operand: Expr;
  readonly span: Span;
}

export interface InExpr {
  readonly kind: "In";
  readonly operand: Expr;
  readonly members: readonly { readonly name: string; readonly span: Span }[];
  readonly negated: boolean;
  readonly span: Span;
}

export interface KnownExpr {
  readonly kind: "Known";
  readonly operand: Expr;
  readonly negated: boolean;
  readonly span: Span;
}

export type QueryOp = "count" | "exists" | "every" | "select" | "latest" | "earliest";

export interface QueryExpr {
  readonly kind: "Query";
  readonly op: QueryOp;
  readonly binder: string;
  readonly binderSpan: Span;
  readonly source: Expr;
  readonly filter?: Expr;
  readonly body?: Expr;
  readonly merge?: { readonly first: string; readonly second: string; readonly condition: Expr; readonly span: Span };
  readonly span: Span;
}

/** `time since d` (to the date of service) or `time between a and b`. */
export interface TimeExpr {
  readonly kind: "Time";
  readonly from: Expr;
  readonly to?: Expr;
  readonly span: Span;
}
