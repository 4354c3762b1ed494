/**
 * Payloads that would run, or break out of a string, a comment or an HTML page, if policy text
 * were pasted into generated code unescaped; a policy that carries them everywhere text goes;
 * and checks, over the TypeScript syntax tree, that a generated module's code is only what the
 * generator writes.
 */
import ts from "typescript";

/** Set by any payload that manages to run. */
export const pwnedFlag = "__POL_PWNED__";

export const payloads = {
  quotes: `He said "stop" and 'go' — ‘curly’ “quotes”`,
  backticks: "`${process.exit(1)}` and `rm -rf /`",
  template: "${process.exit(1)}",
  closeComment: `*/ globalThis.${pwnedFlag} = "comment"; /*`,
  script: `</script><script>globalThis.${pwnedFlag} = "script"</script>`,
  newlines: `first line\nprocess.exit(1);\r\n globalThis.${pwnedFlag} = "newline";\u2028globalThis.${pwnedFlag} = "ls";\u2029//`,
  nul: "before\u0000after \u0007 bell",
  rtl: "\u202eevil\u202c and \u200fmark\u200e",
  emoji: "👩‍⚕️ 💉 🇺🇸 e\u0301",
  breakout: `"; process.exit(1); //`,
  singleBreakout: `'); globalThis.${pwnedFlag} = "single"; //`,
  backslash: "C:\\path\\to\\file \\u0000 \\n not escapes",
} as const;

export type PayloadKey = keyof typeof payloads;
export const payloadKeys = Object.keys(payloads) as PayloadKey[];

/** A pol text literal for any string: JSON's escapes (\" \\ \n \u0000 …) on one line. */
export function polText(value: string): string {
  // JSON.stringify leaves U+2028 and U+2029 raw; they are fine inside a pol text, but escape them
  // too so that the source file stays one statement per line in every editor.
  return JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export const policyId = "INERT_TEST";
export const overlayId = "INERT_WA";

/** Every place policy text can go, each holding a payload. */
export function inertPolicy(texts: Readonly<Record<PayloadKey, string>> = payloads): string {
  const p = (k: PayloadKey) => polText(texts[k]);
  const criteria = payloadKeys.map((k) => `      criterion c_${k} ${p(k)} [1]: flag`).join("\n");
  const historyLines = payloadKeys.map((k) => `    ${p(k)} ${p(k)}`).join("\n");
  return [
    `fact flag: boolean ${p("breakout")}`,
    `group g ${p("closeComment")} {`,
    `  fact inner: number 0 to 10 ${p("newlines")}`,
    `}`,
    `enum kind ${p("script")} { k_a ${p("template")}, k_b ${p("backticks")} }`,
    `fact kind_value: kind ${p("nul")}`,
    `record proc ${p("rtl")} {`,
    `  date: date ${p("closeComment")}`,
    `  kind: kind ${p("singleBreakout")}`,
    `}`,
    `fact history_list: list of proc ${p("emoji")}`,
    `reading ${p("script")} ${p("newlines")}`,
    `reading of ${p("quotes")}: ${p("backticks")} ${p("closeComment")}`,
    `define d ${p("quotes")} [1]: flag and g.inner >= 0 and kind_value = k_a`,
    `reading ${p("rtl")} ${p("breakout")} ${p("singleBreakout")} ${p("template")}`,
    `criterion top ${p("backslash")}: d or exists(x in history_list where x.kind = k_b)`,
    ``,
    `policy ${policyId} ${p("closeComment")} {`,
    `  guideline ${p("breakout")}`,
    `  version ${p("script")}`,
    `  original_date ${p("newlines")}`,
    `  last_revised ${p("template")}`,
    `  implementation_date ${p("rtl")}`,
    `  cpt ${p("singleBreakout")}: 62320, +64480`,
    `  indications ${p("script")} [1] {`,
    `    pathway main_path ${p("closeComment")}: all of ${p("backticks")} [1] {`,
    criteria,
    `      use top`,
    `    }`,
    `  }`,
    `  notes ${p("newlines")} {`,
    `    note ${p("breakout")} [1]`,
    `    note checked_note ${p("nul")} [1]: flag`,
    `  }`,
    `  exclusions ${p("emoji")} {`,
    `    criterion excluded_when ${p("template")}: not flag and flag`,
    `  }`,
    `  references {`,
    ...payloadKeys.map((k, i) => `    ${i + 1} ${p(k)}`),
    `  }`,
    `  history {`,
    historyLines,
    `  }`,
    `}`,
    ``,
    `overlay ${overlayId} ${p("script")} [1] for ${policyId} in state WA {`,
    `  applies unless ${p("breakout")}: g.inner > 9`,
    `  requirements ${p("closeComment")} {`,
    `    criterion wa_rule ${p("singleBreakout")}: flag`,
    `  }`,
    `  references {`,
    `    1 ${p("script")}`,
    `  }`,
    `}`,
    ``,
  ].join("\n");
}

/** Identifiers that inert, generated code never needs. */
const forbiddenIdentifiers = new Set(["process", "globalThis", "window", "document", "eval", "Function", "require", "alert", "exit", "setTimeout", "fetch", "import", "constructor", "prototype", "__proto__", pwnedFlag]);

export interface InertnessReport {
  /** Everything in the module that the generator does not write, by line. */
  readonly problems: string[];
  /** The module's text with every string literal and comment removed. */
  readonly codeOnly: string;
}

/**
 * What generated code may call: the runtime (`k.…`), the evaluation's context (`c.fact`,
 * `c.met`, …), the fast reader of a request (`r.fact`, `r.object`, …), and the definitions and
 * readers the generator names itself (`define_…`, `read_…`). Policy text never names a function.
 */
const allowedCallee = /^(k\.[A-Za-z]\w*|c\.(fact|field|entryField|met|and|or)|r\.(object|fact|field|boolean|choice|booleanField|choiceField|dateField)|define_\w+|read_\w+)$/;

/**
 * Checks a generated module: its statements are imports, types, constants and functions; it
 * calls only the runtime, the context and its own definitions; it makes nothing with `new`;
 * there is no template, and no forbidden name appears anywhere outside a string or a comment.
 */
export function inertness(fileName: string, text: string): InertnessReport {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const problems: string[] = [];
  const where = (node: ts.Node) => `line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isInterfaceDeclaration(statement)) continue;
    if (ts.isVariableStatement(statement) || ts.isFunctionDeclaration(statement)) continue;
    problems.push(`${where(statement)}: unexpected statement ${ts.SyntaxKind[statement.kind]}: ${statement.getText(source).slice(0, 120)}`);
  }
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && forbiddenIdentifiers.has(node.text)) problems.push(`${where(node)}: identifier ${node.text}`);
    if (ts.isCallExpression(node) && !allowedCallee.test(node.expression.getText(source))) problems.push(`${where(node)}: call ${node.getText(source).slice(0, 120)}`);
    if (ts.isNewExpression(node)) problems.push(`${where(node)}: new ${node.getText(source).slice(0, 120)}`);
    if (ts.isTaggedTemplateExpression(node) || ts.isTemplateExpression(node)) problems.push(`${where(node)}: ${ts.SyntaxKind[node.kind]} ${node.getText(source).slice(0, 120)}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  // The same with the scanner: code outside strings and comments.
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, false, ts.LanguageVariant.Standard, text);
  let codeOnly = "";
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.StringLiteral || kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral) codeOnly += '""';
    else if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia) codeOnly += " ";
    else codeOnly += scanner.getTokenText();
  }
  return { problems, codeOnly };
}

/** Type-checks files with the project's compiler options; returns the messages. */
export function typeCheck(rootNames: string[]): string[] {
  const program = ts.createProgram(rootNames, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
    // The runtime needs no DOM; leaving it out halves the time.
    lib: ["lib.es2022.d.ts"],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : "";
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}
