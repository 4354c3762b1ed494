/**
 * Prints an expression back as pol source, with only the parentheses its precedence needs. The
 * docs show each criterion's rule this way, beside the guideline's wording.
 */
import type { Expr } from "./ast.js";

const precedence: Record<string, number> = { unless: 1, or: 2, and: 3, not: 4, compare: 5, "+": 6, "-": 6, "*": 7, "/": 7, primary: 8 };

function levelOf(e: Expr): number {
  switch (e.kind) {
    case "Binary":
      if (e.op === "unless" || e.op === "or" || e.op === "and") return precedence[e.op];
      if (e.op === "+" || e.op === "-") return precedence["+"];
      if (e.op === "*" || e.op === "/") return precedence["*"];
      return precedence.compare;
    case "Not":
      return precedence.not;
    case "In":
    case "Known":
      return precedence.compare;
    // They take everything after them: inside anything else they need parentheses.
    case "Refer":
    case "If":
      return 0;
    default:
      return precedence.primary;
  }
}

function wrap(e: Expr, min: number): string {
  const text = printExpr(e);
  return levelOf(e) < min ? `(${text})` : text;
}

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case "Number":
      return `${e.value}${e.unit === "percent" ? "%" : e.unit ? ` ${e.value === 1 ? e.unit.replace(/s$/, "") : e.unit}` : ""}`;
    case "Date":
      return e.value;
    case "Text":
      return JSON.stringify(e.value);
    case "Bool":
      return String(e.value);
    case "Ref":
      return e.args ? `${e.name}(${e.args.map(printExpr).join(", ")})` : e.name;
    case "Field":
      return `${wrap(e.object, precedence.primary)}.${e.field}`;
    case "Not":
      return `not ${wrap(e.operand, precedence.not)}`;
    case "In":
      return `${wrap(e.operand, precedence["+"])} ${e.negated ? "not in" : "in"} {${e.members.map((m) => m.name).join(", ")}}`;
    case "Known":
      return `${wrap(e.operand, precedence["+"])} is ${e.negated ? "not " : ""}known`;
    case "Time":
      return e.to ? `time between ${wrap(e.from, precedence.primary)} and ${wrap(e.to, precedence.primary)}` : `time since ${wrap(e.from, precedence.primary)}`;
    case "Query": {
      let text = `${e.op}(${e.binder} in ${printExpr(e.source)}`;
      if (e.filter) text += ` where ${printExpr(e.filter)}`;
      if (e.body) text += `: ${printExpr(e.body)}`;
      if (e.merge) text += `, counting ${e.merge.first} and ${e.merge.second} as one when ${printExpr(e.merge.condition)}`;
      if (e.keys) text += `, one per ${e.keys.map(printExpr).join(" and ")}`;
      if (e.window) text += `, in any ${printExpr(e.window)}`;
      return `${text})`;
    }
    case "Refer": {
      const refs = e.refs.length ? ` [${e.refs.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(", ")}]` : "";
      return `refer ${JSON.stringify(e.clause)}${refs}${e.condition ? ` when ${printExpr(e.condition)}` : ""}`;
    }
    case "Meets":
      return `meets ${e.namespace !== undefined ? `${e.namespace}.` : ""}${e.policy}`;
    case "If":
      return `if ${printExpr(e.condition)} then ${printExpr(e.then)} else ${printExpr(e.otherwise)}`;
    case "Case":
      return `case ${wrap(e.subject, precedence["+"])} { ${e.arms.map((a) => `${a.values.length ? a.values.map((v) => v.name).join(" or ") : "else"}: ${printExpr(a.value)}`).join(", ")} }`;
    case "Binary": {
      const level = levelOf(e);
      if (e.op === "and" || e.op === "or" || e.op === "unless") {
        // A chain is printed from a list, without recursion however long it is.
        const operands: Expr[] = [];
        let node: Expr = e;
        while (node.kind === "Binary" && node.op === e.op) {
          operands.push(node.right);
          node = node.left;
        }
        operands.push(node);
        return operands
          .reverse()
          .map((operand, i) => wrap(operand, i === 0 ? level : level + 1))
          .join(` ${e.op} `);
      }
      const op = e.op === "within" ? "within last" : e.op;
      // Left-associative: the right operand needs parentheses at the same level.
      return `${wrap(e.left, level)} ${op} ${wrap(e.right, level + 1)}`;
    }
  }
}
