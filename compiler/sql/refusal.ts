/**
 * A construct of the intermediate form the SQL back end cannot yet write with the same meaning.
 * It is refused by name, never written with a different meaning.
 */
export class SqlRefusal extends Error {
  constructor(
    readonly policy: string,
    readonly construct: string,
    readonly where: string,
  ) {
    super(`${policy}: ${where}: the SQL back end cannot express ${construct} yet, so the policy is not compiled to SQL`);
  }
}
