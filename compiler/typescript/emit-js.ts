/**
 * `polc build --emit js`: the generated TypeScript modules as plain ES modules with a `.d.ts`
 * beside each, for services that do not compile TypeScript. TypeScript's own compiler does the
 * work, in memory, over exactly the modules `polc build` writes: the JavaScript is theirs with the
 * types taken out, and the declarations are what `tsc --declaration` gives for them.
 */
import { relative, resolve, sep } from "node:path";
import type { EmittedModule } from "./modules.js";
import { runtimeTypes } from "../build.js";

/**
 * The `.js` and `.d.ts` of each module. `outDir` is where they will be written (absolute), so that
 * imports between them resolve as they will on disk; `runtime` is the specifier the modules import
 * the runtime by, when it is a package name rather than a path.
 */
export async function emitJavaScript(modules: readonly EmittedModule[], outDir: string, runtime: string | undefined): Promise<EmittedModule[]> {
  const ts = (await import("typescript")).default;
  const sources = new Map(modules.map((m) => [resolve(outDir, m.path), m.text]));
  const options: import("typescript").CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    declaration: true,
    strict: true,
    skipLibCheck: true,
    removeComments: false,
    newLine: ts.NewLineKind.LineFeed,
    types: [],
    // The modules were generated well typed: emit without checking them again.
    noCheck: true,
    ...(runtime !== undefined ? { paths: { [runtime]: [runtimeTypes] } } : {}),
  };
  const host = ts.createCompilerHost(options, true);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => sources.get(resolve(file)) ?? readFile(file);
  host.fileExists = (file) => sources.has(resolve(file)) || fileExists(file);
  host.getSourceFile = (file, language, onError, create) => {
    const text = sources.get(resolve(file));
    return text !== undefined ? ts.createSourceFile(file, text, language, true) : getSourceFile(file, language, onError, create);
  };
  const emitted = new Map<string, string>();
  host.writeFile = (file, text) => emitted.set(resolve(file), text);
  const program = ts.createProgram({ rootNames: [...sources.keys()], options: { ...options, outDir, rootDir: outDir }, host });
  for (const file of program.getSourceFiles()) {
    if (sources.has(resolve(file.fileName))) program.emit(file);
  }
  const out: EmittedModule[] = [];
  for (const m of modules) {
    const base = resolve(outDir, m.path).replace(/\.ts$/, "");
    for (const extension of [".js", ".d.ts"]) {
      const text = emitted.get(base + extension);
      if (text === undefined) throw new Error(`TypeScript did not emit ${m.path.replace(/\.ts$/, extension)}`);
      // The banner stays the first line, so that a later build recognises the file as its own.
      const banner = m.text.slice(0, m.text.indexOf("\n") + 1);
      out.push({ path: toPosix(relative(outDir, base + extension)), text: text.startsWith(banner) ? text : banner + text });
    }
  }
  return out;
}

function toPosix(path: string): string {
  return path.split(sep).join("/");
}
