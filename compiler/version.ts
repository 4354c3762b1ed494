/** The compiler's version, as package.json gives it (a test keeps the two the same); generated modules record it. */
export const compilerVersion = "0.1.0";
