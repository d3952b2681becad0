// Module hooks for tests of web/js modules that import TF.js but whose tested functions never
// call it: "../vendor/tf.fesm.min.js" (vendored only by the site build) resolves to an empty
// module. Registered by the test files that need it (node:module register).
export async function resolve(specifier, context, nextResolve) {
  if (specifier.endsWith("/vendor/tf.fesm.min.js")) {
    return { url: "data:text/javascript,export {};", shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
