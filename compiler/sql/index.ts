/**
 * The SQL back end: a policy (with its overlays) as DDL for its input's relational layout and one
 * query over it. A second back end of the one intermediate form; see query.ts and expressions.ts.
 */
import type { IrPolicy } from "../ir.js";
import { dialects, type Dialect, type DialectName } from "./dialect.js";
import { ddl } from "./layout.js";
import { compileQuery, type CompiledSql } from "./query.js";

export { SqlRefusal } from "./refusal.js";
export { dialects, type Dialect, type DialectName };
export type { Layout, ListTable, Column } from "./layout.js";

export interface PolicySql extends CompiledSql {
  readonly ddl: string;
  readonly dialect: Dialect;
}

/** Compiles a policy to SQL; throws SqlRefusal naming the first construct it cannot express. */
export function policySql(p: IrPolicy, dialectName: DialectName = "duckdb", state?: string): PolicySql {
  const dialect = dialects.get(dialectName)!;
  const compiled = compileQuery(p, { dialect, state });
  return { ...compiled, ddl: ddl(compiled.layout, dialect), dialect };
}
