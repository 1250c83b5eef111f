import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';

/**
 * Checks the Bicep templates as far as a machine without the Bicep compiler allows.
 *
 * The compiler (`az bicep build`) downloads its binary from outside the package registries,
 * so it cannot run everywhere we test. Instead the templates are parsed with the
 * tree-sitter Bicep grammar (`tree-sitter-bicep`, run through `web-tree-sitter`: both
 * install from npm and run offline), and the syntax tree is checked for the mistakes the
 * compiler would catch first: unknown names, unused parameters, module parameters and
 * outputs that do not exist, missing API versions, duplicate keys. It is not the compiler:
 * it knows no resource schemas and no types. docs/deploy.md says how to run the compiler.
 */

export interface Resource {
  symbol: string;
  /** `Microsoft.Web/sites` */
  type: string;
  apiVersion: string;
  existing: boolean;
  /** The object after `=` (inside `if (...)` or `[for ...]` when there is one). */
  body: Node | undefined;
  conditional: boolean;
}

export interface ModuleUse {
  symbol: string;
  /** Path of the module file relative to the repository root. */
  file: string;
  body: Node | undefined;
}

export interface BicepFile {
  /** Relative to the repository root, with forward slashes. */
  file: string;
  root: Node;
  params: Map<string, { required: boolean }>;
  vars: Map<string, Node>;
  resources: Resource[];
  modules: ModuleUse[];
  outputs: Set<string>;
  problems: string[];
}

export interface Templates {
  root: string;
  files: Map<string, BicepFile>;
  main: BicepFile;
}

/** Names azd itself puts in the environment (so not outputs of ours). */
const azdProvided = ['AZURE_ENV_NAME', 'AZURE_LOCATION', 'AZURE_SUBSCRIPTION_ID', 'AZURE_PRINCIPAL_ID'];

const declarationTypes = new Set([
  'parameter_declaration',
  'variable_declaration',
  'resource_declaration',
  'module_declaration',
  'output_declaration',
  'type_declaration',
  'metadata_declaration',
  'user_defined_function',
  'test_block',
  'assert_statement',
]);
/** Namespaces of the built-in functions (`sys.concat`, `az.resourceGroup`). */
const namespaces = new Set(['sys', 'az']);
const resourceType = /^[A-Za-z0-9]+\.[A-Za-z0-9]+(\/[A-Za-z0-9]+)+@\d{4}-\d{2}-\d{2}(-preview)?$/;

let parser: Promise<Parser> | undefined;
function bicepParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const require = createRequire(path.join(repoRoot(), 'package.json'));
    const language = await Language.load(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'));
    return new Parser().setLanguage(language);
  })();
  return parser;
}

/** The repository root: the nearest folder upwards from the working directory with a package.json. */
export function repoRoot(from = process.cwd()): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const where = (file: string, node: Node) => `${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;

/** Reads and parses every .bicep file under infra/. */
export async function loadTemplates(root = repoRoot()): Promise<Templates> {
  const p = await bicepParser();
  const files = new Map<string, BicepFile>();
  const infra = path.join(root, 'infra');
  for (const entry of readdirSync(infra, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.bicep')) continue;
    const file = path.posix.join('infra', entry.split(path.sep).join('/'));
    const tree = p.parse(readFileSync(path.join(root, file), 'utf8'));
    if (!tree) throw new Error(`${file}: the parser returned nothing`);
    files.set(file, describe(file, tree.rootNode));
  }
  const main = files.get('infra/main.bicep');
  if (!main) throw new Error('infra/main.bicep is missing');
  return { root, files, main };
}

/** Key and value of each property of an object node, in order, duplicates kept. */
export function properties(object: Node | null | undefined): { key: string; keyNode: Node; value: Node }[] {
  if (object?.type !== 'object') return [];
  return object.namedChildren
    .filter((child) => child.type === 'object_property')
    .flatMap((prop) => {
      const [keyNode, value] = prop.namedChildren;
      if (!keyNode || !value) return [];
      return [{ key: keyNode.type === 'string' ? (literal(keyNode) as string) ?? keyNode.text : keyNode.text, keyNode, value }];
    });
}

/** The value node at a dotted path of property names (`properties.siteConfig`). */
export function property(object: Node | null | undefined, dotted: string): Node | undefined {
  let node: Node | undefined = object ?? undefined;
  for (const key of dotted.split('.')) node = properties(node).find((p) => p.key === key)?.value;
  return node;
}

/** A literal's value; undefined for anything computed (interpolated strings included). */
export function literal(node: Node | null | undefined): string | number | boolean | null | undefined {
  switch (node?.type) {
    case 'string':
      if (node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
      return node.namedChildren.map((c) => (c.type === 'escape_sequence' ? unescapeBicep(c.text) : c.text)).join('');
    case 'number':
      return Number(node.text);
    case 'boolean':
      return node.text === 'true';
    case 'null':
      return null;
    default:
      return undefined;
  }
}
const unescapeBicep = (s: string) => ({ "\\'": "'", '\\\\': '\\', '\\n': '\n', '\\r': '\r', '\\t': '\t', '\\$': '$' })[s] ?? s;

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value } | { expr: string };

/** A plain JS view of an expression: literals as values, anything computed as `{ expr: source }`. */
export function valueOf(node: Node | null | undefined): Value {
  if (!node) return { expr: '' };
  if (node.type === 'object') return Object.fromEntries(properties(node).map((p) => [p.key, valueOf(p.value)]));
  if (node.type === 'array') return node.namedChildren.map(valueOf);
  const value = literal(node);
  return value === undefined ? { expr: node.text } : value;
}

function bodyOf(declaration: Node): { body: Node | undefined; conditional: boolean } {
  let value = declaration.namedChildren.at(-1);
  let conditional = false;
  if (value?.type === 'for_statement') value = value.childForFieldName('body') ?? undefined;
  if (value?.type === 'if_statement') {
    conditional = true;
    value = value.namedChildren.find((c) => c.type === 'object');
  }
  return { body: value?.type === 'object' ? value : undefined, conditional };
}

function describe(file: string, root: Node): BicepFile {
  const result: BicepFile = {
    file,
    root,
    params: new Map(),
    vars: new Map(),
    resources: [],
    modules: [],
    outputs: new Set(),
    problems: [],
  };
  walk(root, (node) => {
    if (node.isMissing) result.problems.push(`${where(file, node)} syntax error: missing ${node.type}`);
    else if (node.isError) result.problems.push(`${where(file, node)} syntax error near ${JSON.stringify(node.text.slice(0, 40))}`);
  });
  if (root.hasError && result.problems.length === 0) result.problems.push(`${file}: syntax error`);

  for (const decl of root.descendantsOfType(['resource_declaration', 'module_declaration'])) {
    const [name, typeString] = decl.namedChildren;
    if (!name || !typeString) continue;
    const text = literal(typeString);
    const { body, conditional } = bodyOf(decl);
    if (decl.type === 'module_declaration') {
      result.modules.push({ symbol: name.text, file: path.posix.join(path.posix.dirname(file), String(text)), body });
    } else {
      const [type = '', apiVersion = ''] = String(text).split('@');
      const existing = decl.children.some((c) => c.type === 'existing');
      result.resources.push({ symbol: name.text, type, apiVersion, existing, body, conditional });
    }
  }
  for (const decl of root.namedChildren) {
    const name = decl.namedChildren[0]?.text ?? '';
    if (decl.type === 'parameter_declaration') result.params.set(name, { required: decl.namedChildren.length < 3 });
    if (decl.type === 'variable_declaration' && decl.namedChildren[1]) result.vars.set(name, decl.namedChildren[1]);
    if (decl.type === 'output_declaration') result.outputs.add(name);
  }
  return result;
}

function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  for (const child of node.children) walk(child, visit);
}

/** Where an identifier declares a name rather than referring to one. */
function declares(id: Node): boolean {
  const parent = id.parent;
  if (!parent) return false;
  const first = parent.namedChildren[0];
  if (declarationTypes.has(parent.type) && first?.id === id.id) return true;
  if (parent.type === 'object_property' && first?.id === id.id) return true; // a property key
  if (parent.type === 'parameter' && first?.id === id.id) return true; // a function's parameter
  if (parent.type === 'for_statement' && parent.childForFieldName('initializer')?.id === id.id) return true;
  if (parent.type === 'lambda_expression' && first?.id === id.id) return true;
  if (parent.type === 'call_expression' && parent.childForFieldName('function')?.id === id.id) return true; // a function name
  return false;
}

/** Names a file declares: top-level symbols, plus loop, lambda and function parameters anywhere. */
function declaredNames(f: BicepFile): { symbols: Map<string, number>; locals: Set<string> } {
  const symbols = new Map<string, number>();
  // Outputs live in a namespace of their own (`param name` and `output name` may coexist).
  for (const decl of f.root.namedChildren.filter((n) => declarationTypes.has(n.type) && n.type !== 'output_declaration')) {
    const name = decl.namedChildren[0]?.text ?? '';
    symbols.set(name, (symbols.get(name) ?? 0) + 1);
  }
  const locals = new Set<string>();
  walk(f.root, (node) => {
    if (node.type === 'loop_variable' || node.type === 'loop_enumerator') locals.add(node.text);
    const parent = node.parent?.type ?? '';
    if (node.type === 'identifier' && declares(node) && ['parameter', 'for_statement', 'lambda_expression'].includes(parent)) {
      locals.add(node.text);
    }
    // Child resources declared inside a parent's body are symbols too.
    if (node.type === 'resource_declaration' && node.parent?.type === 'object_property') locals.add(node.namedChildren[0]?.text ?? '');
  });
  return { symbols, locals };
}

function fileProblems(f: BicepFile, templates: Templates): string[] {
  const problems = [...f.problems];
  const { symbols, locals } = declaredNames(f);
  for (const [name, count] of symbols) if (count > 1) problems.push(`${f.file}: '${name}' is declared ${count} times`);

  const uses = new Map<string, number>();
  walk(f.root, (node) => {
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const { key, keyNode } of properties(node)) {
        if (seen.has(key)) problems.push(`${where(f.file, keyNode)} duplicate property '${key}'`);
        seen.add(key);
      }
    }
    if (node.type !== 'identifier' || declares(node)) return;
    if (node.parent?.type === 'type' || node.parent?.type === 'nullable_type') return; // a type name
    uses.set(node.text, (uses.get(node.text) ?? 0) + 1);
    if (!symbols.has(node.text) && !locals.has(node.text) && !namespaces.has(node.text)) {
      problems.push(`${where(f.file, node)} unknown name '${node.text}'`);
    }
  });
  for (const name of f.params.keys()) if (!uses.has(name)) problems.push(`${f.file}: parameter '${name}' is never used`);
  for (const name of f.vars.keys()) if (!uses.has(name)) problems.push(`${f.file}: variable '${name}' is never used`);

  for (const r of f.resources) {
    if (!resourceType.test(`${r.type}@${r.apiVersion}`)) {
      problems.push(`${f.file}: resource '${r.symbol}' has no valid 'type@api-version' ('${r.type}@${r.apiVersion}')`);
    }
  }
  for (const m of f.modules) problems.push(...moduleProblems(f, m, templates));
  return problems;
}

/** The module file exists, gets every parameter it requires and none it lacks, and has the outputs read from it. */
function moduleProblems(f: BicepFile, m: ModuleUse, templates: Templates): string[] {
  const target = templates.files.get(m.file);
  if (!target) return [`${f.file}: module '${m.symbol}' points to ${m.file}, which does not exist`];
  const problems: string[] = [];
  const passed = properties(property(m.body, 'params')).map((p) => p.key);
  for (const name of passed) if (!target.params.has(name)) problems.push(`${f.file}: module '${m.symbol}' passes '${name}', which ${m.file} does not declare`);
  for (const [name, { required }] of target.params) {
    if (required && !passed.includes(name)) problems.push(`${f.file}: module '${m.symbol}' does not pass the required parameter '${name}'`);
  }
  walk(f.root, (node) => {
    if (node.type !== 'member_expression') return;
    const object = node.childForFieldName('object');
    const name = node.childForFieldName('property')?.text;
    if (object?.type !== 'member_expression' || object.childForFieldName('property')?.text !== 'outputs') return;
    if (object.childForFieldName('object')?.text !== m.symbol || !name) return;
    if (!target.outputs.has(name)) problems.push(`${where(f.file, node)} ${m.file} has no output '${name}'`);
  });
  return problems;
}

/** Everything outside the .bicep files that has to agree with them: parameters file, azure.yaml, hooks, docs. */
function projectProblems(t: Templates): string[] {
  const problems: string[] = [];
  const read = (file: string) => (existsSync(path.join(t.root, file)) ? readFileSync(path.join(t.root, file), 'utf8') : undefined);

  const parametersFile = read('infra/main.parameters.json');
  const inputs = new Set<string>();
  if (parametersFile === undefined) problems.push('infra/main.parameters.json is missing');
  else {
    const given = Object.keys((JSON.parse(parametersFile) as { parameters: Record<string, unknown> }).parameters);
    for (const name of given) if (!t.main.params.has(name)) problems.push(`infra/main.parameters.json sets '${name}', which main.bicep does not declare`);
    for (const [name, { required }] of t.main.params) {
      if (required && !given.includes(name)) problems.push(`infra/main.parameters.json does not set the required parameter '${name}'`);
    }
    for (const [, name] of parametersFile.matchAll(/\$\{([A-Z0-9_]+)(=[^}]*)?\}/g)) inputs.add(name!);
  }

  const azureYaml = read('azure.yaml');
  if (azureYaml === undefined) return [...problems, 'azure.yaml is missing'];
  const known = new Set([...t.main.outputs, ...azdProvided]);
  for (const [, script] of azureYaml.matchAll(/run:\s*node\s+(\S+)/g)) {
    const source = read(script!);
    if (source === undefined) {
      problems.push(`azure.yaml runs ${script}, which does not exist`);
      continue;
    }
    // A hook reads main.bicep's outputs, azd's own names, or the inputs of main.parameters.json.
    for (const [, name] of source.matchAll(/(?:required\(|process\.env\.)'?([A-Z0-9_]+)/g)) {
      if (!known.has(name!) && !inputs.has(name!)) problems.push(`${script} reads ${name}, which no output of main.bicep provides`);
    }
  }
  // The docs name outputs as AZURE_*; each must exist.
  for (const doc of ['docs/deploy.md', 'README.md']) {
    for (const [, name] of (read(doc) ?? '').matchAll(/\b(AZURE_[A-Z0-9_]+)\b/g)) {
      if (!known.has(name!)) problems.push(`${doc} mentions ${name}, which is not an output of main.bicep`);
    }
  }
  return problems;
}

/** Every problem found, as `file:line:column message` lines; empty when the templates pass. */
export function templateProblems(t: Templates): string[] {
  const problems = [...t.files.values()].flatMap((f) => fileProblems(f, t));
  return [...new Set([...problems, ...projectProblems(t)])];
}
