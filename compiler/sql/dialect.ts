/**
 * What differs between the SQL engines the back end writes for. Everything else the back end
 * writes is the SQL both DuckDB and PostgreSQL read alike.
 */
export type DialectName = "duckdb" | "postgres";

export interface Dialect {
  readonly name: DialectName;
  /** Column types of the layout. */
  readonly types: { readonly double: string; readonly integer: string; readonly text: string; readonly boolean: string; readonly date: string };
  /** A DATE moved by a whole number of calendar months (clamped to the end of a shorter month), as a DATE. */
  addMonths(date: string, months: string): string;
  /** Positive infinity as a DOUBLE. */
  readonly infinity: string;
  /** The texts of a group joined by commas, in order (an aggregate). */
  joinAgg(text: string, order: string): string;
  /** A whole number as text. */
  integerText(value: string): string;
  /** How many bits of a non-negative BIGINT are set. */
  bitCount(value: string): string;
}

const duckdb: Dialect = {
  name: "duckdb",
  types: { double: "DOUBLE", integer: "INTEGER", text: "VARCHAR", boolean: "BOOLEAN", date: "DATE" },
  addMonths: (date, months) => `CAST(${date} + to_months(CAST(${months} AS INTEGER)) AS DATE)`,
  infinity: "CAST('infinity' AS DOUBLE)",
  joinAgg: (text, order) => `string_agg(${text}, ',' ORDER BY ${order})`,
  integerText: (value) => `CAST(CAST(${value} AS BIGINT) AS VARCHAR)`,
  bitCount: (value) => `CAST(bit_count(${value}) AS BIGINT)`,
};

const postgres: Dialect = {
  name: "postgres",
  types: { double: "DOUBLE PRECISION", integer: "INTEGER", text: "TEXT", boolean: "BOOLEAN", date: "DATE" },
  addMonths: (date, months) => `CAST(${date} + make_interval(months => CAST(${months} AS INTEGER)) AS DATE)`,
  infinity: "CAST('Infinity' AS DOUBLE PRECISION)",
  joinAgg: (text, order) => `string_agg(${text}, ',' ORDER BY ${order})`,
  integerText: (value) => `CAST(CAST(${value} AS BIGINT) AS TEXT)`,
  bitCount: (value) => `CAST(length(replace(CAST(CAST(${value} AS bit(64)) AS TEXT), '0', '')) AS BIGINT)`,
};

export const dialects: ReadonlyMap<DialectName, Dialect> = new Map([
  ["duckdb", duckdb],
  ["postgres", postgres],
]);
