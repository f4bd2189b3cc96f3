// The plugin contract shared by the server's publish path, the toolchain and the SDK's harness.
// It imports only the runtime's public entry, so any of them may depend on it.
export {
  compileConfigSchema,
  MAX_CONFIG_BYTES,
  MAX_CONFIG_DEPTH,
  validateConfigWith,
  type ConfigValidator,
} from './config-schema.ts';
export {
  clipForPlugins,
  hookInput,
  lifecycleInput,
  type LifecyclePayload,
  type PluginClip,
} from './hook-payload.ts';
export { TAG_PATTERN, type ManifestExample, type ManifestListing } from './listing.ts';
export {
  CONTRACT_FIELDS,
  contractOf,
  HOST_API_VERSION,
  LISTING_FIELDS,
  MAX_MANIFEST_BYTES,
  MAX_MANIFEST_DEPTH,
  MAX_WASM_BYTES,
  SLUG_PATTERN,
  validateManifest,
  type Declared,
  type Manifest,
  type ManifestCheck,
  type PluginJson,
} from './manifest.ts';
export { nestsDeeperThan, type Problem } from './problem.ts';
export { MAX_SCHEMA_DEPTH, MAX_SCHEMA_NODES, MAX_UNIQUE_ITEMS, SCHEMA_DRAFTS } from './schema-rules.ts';
export { ManifestError, readPluginJson } from './plugin-json.ts';
export {
  canonicalJson,
  decodeBase64,
  FINGERPRINT_PATTERN,
  fingerprintOf,
  manifestSha256,
  parsePublicKey,
  PUBLIC_KEY_BYTES,
  rawPublicKey,
  releaseMessage,
  sha256Hex,
  SIGNATURE_BYTES,
  SIGNATURE_SCHEME,
  signRelease,
  spkiKey,
  verifyRelease,
  type ParsedPublicKey,
  type Release,
} from './signature.ts';
