// Imported once by runtime.cjs while a pre-spawned runtime waits in the pool, so the ES module
// loader is initialised before the first handler's import() needs it.
export default true;
