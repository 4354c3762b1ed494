/**
 * Markdown tables laid out as Prettier lays them out (proseWrap "preserve"): every column as wide
 * as its widest cell (three at least), cells padded by their alignment, the delimiter row of
 * dashes as wide as the column. The documentation generator writes its tables through this, so
 * that its pages come out formatted without running Prettier.
 */
import { stringWidth } from "./typescript/layout.js";

type Align = "left" | "right" | "center" | "none";

const delimiterRow = /^\|(\s*:?-+:?\s*\|)+\s*$/;

/** The text with every table (a row of cells, then a delimiter row, then rows) aligned. */
export function alignTables(markdown: string): string {
  const lines = markdown.split("\n");
  // Written to a new list rather than spliced in place, so that a page of many tables (or one of
  // many rows) costs time linear in its length.
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (i + 1 >= lines.length || !lines[i].startsWith("|") || !delimiterRow.test(lines[i + 1])) {
      out.push(lines[i]);
      continue;
    }
    let end = i + 2;
    while (end < lines.length && lines[end].startsWith("|")) end++;
    for (const row of alignTable(lines.slice(i, end))) out.push(row);
    i = end - 1;
  }
  return out.join("\n");
}

function alignTable(rows: readonly string[]): string[] {
  const cells = rows.map(splitRow);
  const aligns: Align[] = cells[1].map((c) => (c.startsWith(":") ? (c.endsWith(":") ? "center" : "left") : c.endsWith(":") ? "right" : "none"));
  const body = [cells[0], ...cells.slice(2)].map((row) => aligns.map((_, i) => row[i] ?? ""));
  // A loop, not Math.max(...cells): a table of a hundred thousand rows is more arguments than a call takes.
  const widths = aligns.map((_, i) => {
    let widest = 3;
    for (const row of body) widest = Math.max(widest, stringWidth(row[i]));
    return widest;
  });
  const delimiter = aligns.map((a, i) => {
    const w = widths[i];
    return a === "center" ? `:${"-".repeat(w - 2)}:` : a === "left" ? `:${"-".repeat(w - 1)}` : a === "right" ? `${"-".repeat(w - 1)}:` : "-".repeat(w);
  });
  const line = (row: readonly string[]) => `| ${row.join(" | ")} |`;
  const pad = (row: readonly string[]) =>
    row.map((cell, i) => {
      const space = widths[i] - stringWidth(cell);
      if (aligns[i] === "right") return " ".repeat(space) + cell;
      if (aligns[i] === "center") return " ".repeat(Math.floor(space / 2)) + cell + " ".repeat(space - Math.floor(space / 2));
      return cell + " ".repeat(space);
    });
  return [line(pad(body[0])), line(delimiter), ...body.slice(1).map((row) => line(pad(row)))];
}

/** The cells of a row, split at each `|` that no backslash escapes, trimmed. */
function splitRow(row: string): string[] {
  const cells: string[] = [];
  let current = "";
  for (let i = 1; i < row.length; i++) {
    const ch = row[i];
    if (ch === "\\" && i + 1 < row.length) {
      current += ch + row[++i];
      continue;
    }
    if (ch === "|") {
      cells.push(current.trim());
      current = "";
      continue;
    }
    current += ch;
  }
  if (current.trim() !== "") cells.push(current.trim());
  return cells;
}
