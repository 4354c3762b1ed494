/**
 * prettier-plugin-pol: formats pol policy files. Use it as a Prettier plugin
 * (`plugins: ["prettier-plugin-pol"]`), or call `formatPol`.
 */
import type { Parser, Plugin, Printer, SupportLanguage } from "prettier";
import { format } from "prettier/standalone";
import { placeComments } from "./comments.js";
import { parseForPrinting, type PolDocument } from "./parse.js";
import { printFile } from "./print.js";

export { PolSyntaxError, type PolDocument } from "./parse.js";
export { printers, type Printers, type PrintContext } from "./print.js";

/** The width the library is written to, unless a Prettier configuration says otherwise. */
export const defaultPrintWidth = 120;

const languages: SupportLanguage[] = [
  { name: "pol", parsers: ["pol"], extensions: [".pol"], vscodeLanguageIds: ["pol"], linguistLanguageId: 0 },
];

const parser: Parser<PolDocument> = {
  parse: (text, options) => parseForPrinting(text, options.filepath ?? "<input>"),
  astFormat: "pol-cst",
  locStart: (node) => node.start,
  locEnd: (node) => node.end,
};

const printer: Printer<PolDocument> = {
  print: (path) => {
    const document = path.node;
    const placement = placeComments(document.cst, document.tokens, document.polComments, document.text);
    return printFile(document.cst, document.text, placement, document.polComments.length);
  },
};

export const polPlugin: Plugin<PolDocument> = {
  languages,
  parsers: { pol: parser },
  printers: { "pol-cst": printer },
  defaultOptions: { printWidth: defaultPrintWidth, tabWidth: 2, useTabs: false },
};

/**
 * The print width a Prettier configuration gives a file (`.prettierrc.json` and the like), or
 * undefined for the plugin's own. Without Prettier's configuration loader (a bundled editor
 * extension), the plugin's own.
 */
export async function resolvePrintWidth(file: string): Promise<number | undefined> {
  try {
    // Named through a variable so that a bundler leaves Prettier's loader out of a bundle.
    const loader = "prettier";
    const { resolveConfig } = (await import(loader)) as typeof import("prettier");
    const config = await resolveConfig(file, { editorconfig: false });
    return typeof config?.printWidth === "number" ? config.printWidth : undefined;
  } catch {
    return undefined;
  }
}

export interface FormatOptions {
  readonly printWidth?: number;
  /** Shown in syntax errors. */
  readonly filepath?: string;
}

/**
 * Formats a `.pol` text. Throws `PolSyntaxError` (with the compiler's diagnostics) when it does
 * not parse: a file with errors is never rewritten.
 */
export async function formatPol(text: string, options: FormatOptions = {}): Promise<string> {
  return format(text, {
    parser: "pol",
    plugins: [polPlugin],
    printWidth: options.printWidth ?? defaultPrintWidth,
    tabWidth: 2,
    useTabs: false,
    endOfLine: "lf",
    filepath: options.filepath,
  });
}
