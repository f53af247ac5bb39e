// Compiles every Solidity file under contracts/ in one solc-js standard-JSON call and writes
// studio/story/devnet/artifacts.json: per contract its ABI, creation and runtime bytecode and method
// identifiers; every custom error and event by selector; the solc version, the settings, and a sha256 of
// the sources so the Python side can tell when the artifact is stale without node.
//
// Usage: node scripts/compile-contracts.mjs [--out <path>]
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc");
const keccak256 = require("js-sha3").keccak256;

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const contractsDir = join(root, "contracts");
const outArg = process.argv.indexOf("--out");
const outPath = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(root, "studio/story/devnet/artifacts.json");

const settings = {
  evmVersion: "cancun",
  optimizer: { enabled: true, runs: 200 },
  metadata: { bytecodeHash: "none" },
  outputSelection: {
    "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "evm.methodIdentifiers"] },
  },
};

function listSources(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listSources(full));
    else if (name.endsWith(".sol")) out.push(full);
  }
  return out;
}

// Same recipe as studio.story.devnet.artifacts_sha256: "<path>\n<sha256 of bytes>\n" per file, sorted by path.
function sourcesSha256(files) {
  const h = createHash("sha256");
  for (const f of files) {
    const rel = relative(root, f).split(sep).join("/");
    h.update(`${rel}\n${createHash("sha256").update(readFileSync(f)).digest("hex")}\n`);
  }
  return h.digest("hex");
}

function canonicalType(param) {
  if (param.type.startsWith("tuple")) {
    return `(${param.components.map(canonicalType).join(",")})${param.type.slice(5)}`;
  }
  return param.type;
}

const files = listSources(contractsDir).sort((a, b) => (relative(root, a) < relative(root, b) ? -1 : 1));
const sources = {};
for (const f of files) sources[relative(root, f).split(sep).join("/")] = { content: readFileSync(f, "utf8") };

const output = JSON.parse(solc.compile(JSON.stringify({ language: "Solidity", sources, settings })));
const problems = output.errors || [];
for (const p of problems) process.stderr.write(p.formattedMessage + "\n");
if (problems.some((p) => p.severity === "error")) process.exit(1);

const contracts = {};
const errors = {};
const events = {};
for (const [path, byName] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(byName)) {
    for (const item of c.abi) {
      const sig = `${item.name}(${(item.inputs || []).map(canonicalType).join(",")})`;
      if (item.type === "error") errors["0x" + keccak256(sig).slice(0, 8)] = sig;
      if (item.type === "event") events["0x" + keccak256(sig)] = sig;
    }
    // Interfaces and abstract bases have no code; libraries are inlined (their functions are internal).
    if (!c.evm.deployedBytecode.object || new RegExp(`\\blibrary\\s+${name}\\b`).test(sources[path].content)) continue;
    if (contracts[name]) throw new Error(`two contracts named ${name}`);
    contracts[name] = {
      source: path,
      abi: c.abi,
      bytecode: "0x" + c.evm.bytecode.object,
      deployedBytecode: "0x" + c.evm.deployedBytecode.object,
      methodIdentifiers: c.evm.methodIdentifiers,
    };
  }
}

const sorted = (obj) => Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
const artifact = {
  solcVersion: solc.version(),
  settings: { evmVersion: settings.evmVersion, optimizer: settings.optimizer, metadata: settings.metadata },
  sources_sha256: sourcesSha256(files),
  contracts: sorted(contracts),
  errors: sorted(errors),
  events: sorted(events),
};
writeFileSync(outPath, JSON.stringify(artifact, null, 1) + "\n");
process.stderr.write(`compiled ${Object.keys(contracts).length} contracts from ${files.length} files -> ${outPath}\n`);
