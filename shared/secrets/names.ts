/**
 * Both stores accept only names Key Vault accepts (letters, digits and dashes, at most 127),
 * so code that works against the local store cannot fail later in Azure on a name.
 */
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;

export function assertSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new Error(`invalid secret name '${name}': use 1-127 letters, digits and dashes`);
  }
}
