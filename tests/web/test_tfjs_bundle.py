"""TF.js as the site ships it: scripts/tfjs-entry.js bundled by esbuild (sitebuild/tfjs.py)
from tfjs-core, tfjs-layers and the CPU backend only. It holds every ``tf.`` name the page's
modules and the tests' pages use, runs on the CPU backend in a module worker (where the page
runs the model), ships the licence of every package in it, and a build that cannot bundle it
fails with a line that says what to run, leaving the old site in place.
(The model converts and scores alike in Chromium with it: tests/model/test_tfjs_browser.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.browser import evaluate_page
from harness.servers import ROOT
from harness.sites import write_tiny_site
from sitebuild import cli, tfjs
from sitebuild.common import BuildError
from tests.conftest import ESBUILD
from tests.web.conftest import write_tiny_node_modules

BUNDLED = (
    "@tensorflow/tfjs-backend-cpu",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-layers",
    "long",  # tfjs-core's int64 helper (Apache-2.0)
    "seedrandom",  # tfjs-core's and the CPU backend's random numbers (MIT)
)
TF_NAME = re.compile(r"\btf\.([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)")


def names_used() -> list[str]:
    """Every dotted ``tf.`` name in the page's scripts and in the tests that load the vendored
    module in a page of their own (``tf.fesm.min.js`` itself aside)."""
    tests = [
        path
        for path in (ROOT / "tests").rglob("*.py")
        if path.name != Path(__file__).name and "vendor/tf.fesm.min.js" in path.read_text(encoding="utf-8")
    ]
    sources = [*(ROOT / "web").rglob("*.js"), *tests]
    names = {name for path in sources for name in TF_NAME.findall(path.read_text(encoding="utf-8"))}
    return sorted(name for name in names if not name.startswith("fesm"))


def test_names_used_finds_the_page_s_calls():
    names = names_used()
    for name in ("loadLayersModel", "io.fromMemory", "serialization.registerClass", "layers.Layer", "tidy"):
        assert name in names


def test_bundled_packages_are_those_with_code_in_the_output():
    metafile = {
        "outputs": {
            "tf.fesm.min.js": {
                "inputs": {
                    "<stdin>": {"bytesInOutput": 0},
                    "node_modules/@tensorflow/tfjs-core/dist/index.js": {"bytesInOutput": 120},
                    "node_modules/long/src/long.js": {"bytesInOutput": 9},
                    "node_modules/a/node_modules/@scope/b/index.js": {"bytesInOutput": 1},
                    "node_modules/unused/index.js": {"bytesInOutput": 0},
                    "(disabled):node_modules/node-fetch/browser.js": {"bytesInOutput": 3},
                    "(disabled):crypto": {"bytesInOutput": 0},
                }
            },
            "tf.fesm.min.js.LEGAL.txt": {"inputs": {}},
        }
    }
    assert tfjs.bundled_packages(metafile) == ("@scope/b", "@tensorflow/tfjs-core", "long")


@pytest.mark.parametrize(
    ("licence", "unnamed"),
    [
        ("long (Apache-2.0) and seedrandom (MIT)", None),
        ("long, which belongs here", "seedrandom"),
        ("seedrandom, belonging; longer", "long"),
        ("", "long, seedrandom"),
    ],
)
def test_every_bundled_package_is_named_in_the_licence(licence, unnamed):
    bundle = tfjs.TfjsBundle(b"", "", ("long", "seedrandom"))
    if unnamed is None:
        tfjs.check_licences(bundle, licence)
    else:
        with pytest.raises(BuildError, match=f"TF.js bundles {unnamed}, which"):
            tfjs.check_licences(bundle, licence)


def test_the_bundle_is_core_layers_and_cpu_reproducibly(tfjs_bundle):
    assert tfjs_bundle.packages == BUNDLED  # no converter, tfjs-data or WebGL backend
    tfjs.check_licences(tfjs_bundle, (ROOT / "web" / tfjs.TFJS_LICENSE).read_text())
    version = tfjs.installed_tfjs_version(ROOT / "node_modules")
    assert tfjs_bundle.code.startswith(tfjs.TFJS_BANNER.format(version=version).encode())
    assert "@license" in tfjs_bundle.notices and b"@license" not in tfjs_bundle.code
    # The full @tensorflow/tfjs bundle (tf.fesm.min.js) is 1.1 MB; core, layers and cpu ~0.6 MB;
    # every layer class 452 KB: this one has only the model's (scripts/tfjs-entry.js), 318 KB.
    assert len(tfjs_bundle.code) < 360_000
    # The same inputs give the same bytes, hence the same content-hashed name build after build.
    assert tfjs.bundle_tfjs(ROOT / "node_modules", version) == tfjs_bundle


PROBE_PAGE = """<!doctype html><meta charset="utf-8"><title>probe</title>
<script type="module">
const worker = new Worker("probe.js", { type: "module" });
window.probe = (names) => new Promise((resolve, reject) => {
  worker.onmessage = (event) => resolve(event.data);
  worker.onerror = (event) => reject(new Error(event.message));
  worker.postMessage(names);
});
window.probeReady = true;
</script>"""
PROBE_WORKER = """import * as tf from "./vendor/tf.fesm.min.js";
self.onmessage = async ({ data: names }) => {
  const missing = names.filter((name) => name.split(".").reduce((at, key) => at?.[key], tf) === undefined);
  await tf.ready(); // the best backend registered: the only one
  const first = tf.getBackend();
  await tf.setBackend("cpu"); // as web/js/loader.js does
  const sum = tf.tidy(() => tf.sum(tf.tensor2d([[1, 2], [3, 4]])).dataSync()[0]);
  self.postMessage({ missing, first, backend: tf.getBackend(), backends: tf.engine().backendNames(), sum });
};
"""


@pytest.mark.browser
def test_a_module_worker_gets_every_name_used_and_the_cpu_backend(tfjs_bundle, tmp_path):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / tfjs.TFJS_FILE).write_bytes(tfjs_bundle.code)
    (tmp_path / "probe.js").write_text(PROBE_WORKER)
    (tmp_path / "probe.html").write_text(PROBE_PAGE)
    probe = "(names) => window.probe(names)"
    result = evaluate_page(tmp_path, "probe.html", "probeReady", probe, names_used())
    assert result == {"missing": [], "first": "cpu", "backend": "cpu", "backends": ["cpu"], "sum": 10}


# ---------------------------------------------------------------------------------------
# A build that cannot bundle TF.js


@pytest.fixture
def tiny_inputs(tmp_path):
    """Artifacts (the tiny site) and a node_modules with one-line TF.js packages and esbuild."""
    if not ESBUILD.is_file():
        pytest.skip(f"{ESBUILD} is missing: run `make install`")
    artifacts = tmp_path / "artifacts"
    write_tiny_site(artifacts / "model" / "web")
    (artifacts / "model" / "web" / "index.html").unlink()
    return artifacts, write_tiny_node_modules(tmp_path / "node_modules")


def build_with(artifacts, node_modules, out) -> int:
    args = ["--artifacts", str(artifacts), "--out", str(out), "--node-modules", str(node_modules)]
    return cli.main([*args, "--compress-cache", ""])


@pytest.mark.slow  # a whole site build with esbuild
def test_tiny_packages_build(tiny_inputs, tmp_path):
    """The failures below are of what they break: the same inputs, whole, build."""
    artifacts, node_modules = tiny_inputs
    assert build_with(artifacts, node_modules, tmp_path / "static") == 0
    [tfjs] = (tmp_path / "static" / "vendor").glob("tf.fesm.min.*.js")
    assert b"loadLayersModel" in tfjs.read_bytes()  # the entry's exports, from the stub packages


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (
            "esbuild",
            "node_modules/.bin/esbuild is missing: the site bundles TF.js with it. Run `make install`",
        ),
        (
            "dist/models.js",
            'esbuild could not bundle TF.js (Could not resolve "@tensorflow/tfjs-layers/dist/models.js")',
        ),
        ("package.json", "tfjs-layers/package.json is missing. Install the npm packages: `make install`"),
        (
            "version",
            "node_modules mixes TF.js versions (@tensorflow/tfjs-core 4.22.0, @tensorflow/tfjs-layers",
        ),
    ],
)
def test_a_build_that_cannot_bundle_tfjs_fails_in_one_line_and_keeps_the_old_site(
    tiny_inputs, tmp_path, caplog, breakage, message
):
    artifacts, node_modules = tiny_inputs
    layers = node_modules / "@tensorflow" / "tfjs-layers"
    if breakage == "esbuild":
        (node_modules / ".bin" / "esbuild").unlink()
    elif breakage == "version":
        (layers / "package.json").write_text('{"version": "4.21.0"}')
    else:
        (layers / breakage).unlink()
    out = tmp_path / "static"
    out.mkdir()
    (out / "index.html").write_text("old site")
    assert build_with(artifacts, node_modules, out) == 1
    [error] = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert message in error and "make install" in error and "\n" not in error, error
    assert (out / "index.html").read_text() == "old site"


# ---------------------------------------------------------------------------------------
# The bundle's own fast kernels (scripts/tfjs-entry.js gatherRows, broadcastRows): the same values
# as plain loops, bit for bit, and the backend's errors

KERNELS_PAGE = """<!doctype html><meta charset="utf-8"><title>kernels</title>
<script type="module">
import * as tf from "./vendor/tf.fesm.min.js";
const OPS = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
  maximum: (a, b) => Math.max(a, b), greater: (a, b) => (a > b ? 1 : 0), pow: (a, b) => Math.pow(a, b),
};
const TYPED = { float32: Float32Array, int32: Int32Array, bool: Uint8Array };
let seed = 7;
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const size = (shape) => shape.reduce((a, b) => a * b, 1);
/** Broadcasting as numpy does it, one value at a time: what the kernels must give. */
function broadcast(op, a, aShape, b, bShape, Out) {
  const rank = Math.max(aShape.length, bShape.length);
  const pad = (shape) => [...Array(rank - shape.length).fill(1), ...shape];
  const [as, bs] = [pad(aShape), pad(bShape)];
  const shape = as.map((n, i) => Math.max(n, bs[i]));
  const out = new Out(size(shape));
  const at = (values, dims, index) => {
    let flat = 0;
    dims.forEach((n, i) => (flat = flat * n + (n === 1 ? 0 : index[i])));
    return values[flat];
  };
  for (let k = 0; k < out.length; k++) {
    const index = [];
    let rest = k;
    for (let i = rank - 1; i >= 0; i--) { index[i] = rest % shape[i]; rest = Math.floor(rest / shape[i]); }
    out[k] = op(at(a, as, index), at(b, bs, index));
  }
  return out;
}
window.check = () => {
  const wrong = [];
  const pairs = [[[3, 4], [3, 1]], [[3, 1], [3, 4]], [[1, 5], [2, 1]], [[], [2, 3]], [[4], [2, 4]],
    [[2, 3], [3]], [[2, 3], [2, 3]], [[1], [1, 6]], [[2, 3], []], [[2, 1, 3], [1, 2, 1]]];
  for (const [aShape, bShape] of pairs) {
    for (const dtype of ["float32", "int32"]) {
      const value = () => (dtype === "int32" ? Math.floor(next() * 7) - 3 : Math.round(next() * 8) / 4 + 0.5);
      const make = (shape) => TYPED[dtype].from({ length: size(shape) }, value);
      const [a, b] = [make(aShape), make(bShape)];
      for (const [name, op] of Object.entries(OPS)) {
        if (dtype === "int32" && (name === "div" || name === "pow")) continue;
        const out = name === "greater" ? Uint8Array : TYPED[dtype];
        const expected = Array.from(broadcast(op, a, aShape, b, bShape, out));
        const [ta, tb] = [tf.tensor(a, aShape, dtype), tf.tensor(b, bShape, dtype)];
        const got = Array.from(tf.tidy(() => tf[name](ta, tb).dataSync()));
        const what = `${name} ${dtype} ${JSON.stringify([aShape, bShape])}`;
        if (JSON.stringify(got) !== JSON.stringify(expected)) wrong.push(what);
      }
    }
  }
  const x = Float32Array.from({ length: 15 }, next);
  const rows = (indices) => indices.flatMap((row) => Array.from(x.subarray(row * 3, row * 3 + 3)));
  const gathered = (indices, shape, axis = 0) => {
    const [values, at] = [tf.tensor(x, [5, 3]), tf.tensor(indices, shape, "int32")];
    return Array.from(tf.tidy(() => tf.gather(values, at, axis).dataSync()));
  };
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(gathered([4, 0, 4, 2], [4]), rows([4, 0, 4, 2]))) wrong.push("gather rows");
  if (!same(gathered([1, 2, 3, 0], [2, 2]), rows([1, 2, 3, 0]))) wrong.push("gather 2-D indices");
  const axis1 = gathered([2, 0], [2], 1);
  const expectedAxis1 = [0, 1, 2, 3, 4].flatMap((row) => [x[row * 3 + 2], x[row * 3]]);
  if (!same(axis1, expectedAxis1)) wrong.push("gather axis 1");
  let error = null;
  try { gathered([5], [1]); } catch (e) { error = e.message; }
  let scalar = null; // a scalar has no rows: the backend's own kernel, its own error
  try { tf.gather(tf.tensor(5), tf.tensor([0], [1], "int32")); } catch (e) { scalar = e.message; }
  return { wrong, error, scalar };
};
window.probeReady = true;
</script>"""


@pytest.mark.browser
def test_the_bundle_s_fast_kernels_give_the_plain_loops_values(tfjs_bundle, tmp_path):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / tfjs.TFJS_FILE).write_bytes(tfjs_bundle.code)
    (tmp_path / "kernels.html").write_text(KERNELS_PAGE)
    result = evaluate_page(tmp_path, "kernels.html", "probeReady", "() => window.check()", None)
    assert result["wrong"] == []
    assert result["error"] == "GatherV2: the index value 5 is not in [0, 4]"
    assert "axis" in result["scalar"], result["scalar"]
