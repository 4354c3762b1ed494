/**
 * The generated modules of a library checked in this process (`polc eval`, `--batch`), run
 * without writing them: the TypeScript back end's JavaScript flavour, each module made into a
 * function that receives the runtime and the modules it imports. It is the same code a built
 * module carries, with the same guarantee: policy text appears in it only as string literals.
 */
import type { CompileResult } from "./compile.js";
import type { Policy } from "../runtime/policy.js";
import * as runtime from "../runtime/index.js";
import { emitLibrary, type EmittedModule } from "./typescript/modules.js";
import { outputLayout, policySlug } from "./build.js";

/** A library's modules as JavaScript function bodies, dependencies first, with where each policy is. */
export interface ScriptLibrary {
  readonly modules: readonly EmittedModule[];
  /** The module of each policy, by policy id. */
  readonly policyModules: ReadonlyMap<string, string>;
}

export function scriptLibrary(result: CompileResult): ScriptLibrary {
  if (!result.library) throw new Error("a library with errors cannot be loaded");
  const modules = emitLibrary(result.library, outputLayout(result, "generated", process.cwd()), "script");
  return { modules, policyModules: new Map(result.library.policies.map((p) => [p.id, `${policySlug(p.id)}.ts`])) };
}

type Exports = Readonly<Record<string, unknown>>;

/** Runs the modules in order and returns each policy, by id. */
export function instantiate(library: ScriptLibrary): ReadonlyMap<string, Policy> {
  const loaded = new Map<string, Exports>();
  const load = (path: string): Exports => {
    const exports = loaded.get(path);
    if (!exports) throw new Error(`module ${path} is imported before it is loaded`);
    return exports;
  };
  for (const m of library.modules) {
    // The checker refuses policies whose modules would be one: loading one over another would evaluate the wrong policy.
    if (loaded.has(m.path)) throw new Error(`two modules at ${m.path}: one would be evaluated for the other`);
    const body = new Function("k", "load", `"use strict";\n${m.text}`) as (k: typeof runtime, load: (path: string) => Exports) => Exports;
    loaded.set(m.path, body(runtime, load));
  }
  const policies = new Map<string, Policy>();
  for (const [id, path] of library.policyModules) policies.set(id, load(path).policy as Policy);
  return policies;
}

const loadedResults = new WeakMap<CompileResult, ReadonlyMap<string, Policy>>();

/** The policies of a compiled library, loaded once per result. */
export function loadPolicies(result: CompileResult): ReadonlyMap<string, Policy> {
  let policies = loadedResults.get(result);
  if (!policies) loadedResults.set(result, (policies = instantiate(scriptLibrary(result))));
  return policies;
}
