// The TF.js model's weights as model.json's manifest lays them out: which shard holds which
// bytes (shardPlan), each shard fetched and checked (its length against the manifest, its
// SHA-256 against the hash in its name) before TF.js sees it, and the later shards
// (model/shards.py) left out for fillLater. No TF.js here: loader.js's loadModel builds the model.
import { LoadError, checkNameHash, concatBytes, fetchBytes } from "./checked-fetch.js";

// Bytes per element of each dtype a TF.js weights manifest can hold (server/tfjs_weights.py and
// model/shards.py too, all held to tests/golden/dtype_bytes.json).
export const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** The bytes a manifest group's weights take, or null when a dtype is unknown. */
function groupBytes(group) {
  let total = 0;
  for (const weight of group.weights) {
    const size = DTYPE_BYTES[weight.quantization?.dtype ?? weight.dtype];
    if (size === undefined) return null;
    total += weight.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}

/**
 * Each shard of `manifest` in order: [{path, group, bytes, later}]. `later` ({path: bytes},
 * model.json's later shards) gives those shards' sizes; a group's one other shard has the rest
 * of the group's bytes. `bytes` is null where that is not known (a dtype this code does not
 * know, or several shards of unknown size: the converter's own cut), and such a group is
 * checked as a whole; only shards of known size can be left for later.
 */
function shardPlan(manifest, later) {
  return manifest.flatMap((group, index) => {
    const total = groupBytes(group);
    const sizes = group.paths.map((path) => (Object.hasOwn(later, path) && Number.isInteger(later[path]) ? later[path] : null));
    const unknown = sizes.filter((size) => size === null).length;
    const rest = total === null ? null : total - sizes.reduce((sum, size) => sum + (size ?? 0), 0);
    return group.paths.map((path, i) => {
      const bytes = total === null ? null : (sizes[i] ?? (unknown === 1 ? rest : null));
      return { path, group: index, bytes, later: total !== null && sizes[i] !== null };
    });
  });
}

/** A shard's length against what model.json needs: a LoadError that says how it differs. */
function checkLength(url, received, needed) {
  if (needed === null || received === needed) return;
  const what = received < needed ? "is cut short" : "is too long";
  throw new LoadError(url, `${what}: ${received} bytes where model.json needs ${needed}`);
}

/**
 * Fetch one shard and check it: its length (`bytes`, when known) against model.json's
 * manifest, then its SHA-256 against the hash in its name (model/export.py).
 */
async function fetchShard(base, { path, bytes }, onBytes = () => {}) {
  const url = base + path;
  const data = new Uint8Array(await fetchBytes(url, { onBytes }));
  checkLength(url, data.length, bytes);
  await checkNameHash(url, data);
  return data;
}

/**
 * The model's weights, every shard checked before TF.js sees it (fetchShard; a group of
 * shards of unknown sizes as a whole). The shards are fetched at once. With `deferLater`,
 * model.json's later shards (model/shards.py: the rows of the per-pick tables beyond the
 * first ones) are left out: placeholder bytes (zeros, never read) stand in for them, listed in
 * `holes` for fillLater.
 * Returns {weightSpecs, weightData, holes, base}.
 */
export async function loadWeights(modelUrl, modelJson, onFraction, deferLater) {
  const base = modelUrl.slice(0, modelUrl.lastIndexOf("/") + 1);
  const manifest = modelJson.weightsManifest;
  const plan = shardPlan(manifest, deferLater ? (modelJson.userDefinedMetadata?.later_shards ?? {}) : {});
  const now = plan.filter((shard) => !shard.later);
  const deferred = plan.reduce((sum, shard) => sum + (shard.later ? shard.bytes : 0), 0);
  const total = Math.max(1, manifest.reduce((sum, group) => sum + (groupBytes(group) ?? 0), 0) - deferred);
  const received = new Map();
  const data = await Promise.all(
    now.map((shard) =>
      fetchShard(base, shard, (n) => {
        received.set(shard.path, n);
        onFraction(Math.min(1, [...received.values()].reduce((a, b) => a + b, 0) / total));
      }),
    ),
  );
  const fetched = new Map(now.map((shard, i) => [shard.path, data[i]]));
  manifest.forEach((group, index) => {
    const shards = plan.filter((shard) => shard.group === index && !shard.later && shard.bytes === null);
    if (shards.length === 0 || groupBytes(group) === null) return;
    const length = shards.reduce((sum, shard) => sum + fetched.get(shard.path).length, 0);
    checkLength(shards.map((shard) => base + shard.path).join(", "), length, groupBytes(group));
  });
  const holes = [];
  let offset = 0;
  const parts = plan.map((shard) => {
    const part = fetched.get(shard.path) ?? new Uint8Array(shard.bytes);
    if (shard.later) holes.push({ ...shard, offset });
    offset += part.length;
    return part;
  });
  const weightSpecs = manifest.flatMap((group) => group.weights);
  return { weightSpecs, weightData: concatBytes(parts).buffer, holes, base };
}

/** The weights' bytes with the `holes` loadWeights left filled: each later shard fetched and checked. */
export async function fillLater({ weightData, holes, base }) {
  const shards = await Promise.all(holes.map((hole) => fetchShard(base, hole)));
  const filled = new Uint8Array(weightData.slice(0));
  holes.forEach((hole, i) => filled.set(shards[i], hole.offset));
  return filled.buffer;
}
