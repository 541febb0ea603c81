// Node 20 lacks Object.groupBy (Node 21+), which the ZenStack CLI uses.
// Loaded with NODE_OPTIONS=--require ./polyfill.cjs for `zen generate`.
if (typeof Object.groupBy !== 'function') {
    Object.groupBy = function groupBy(items, key) {
        const out = Object.create(null);
        let i = 0;
        for (const item of items) {
            const k = key(item, i++);
            (out[k] ??= []).push(item);
        }
        return out;
    };
}
if (typeof Map.groupBy !== 'function') {
    Map.groupBy = function groupBy(items, key) {
        const out = new Map();
        let i = 0;
        for (const item of items) {
            const k = key(item, i++);
            if (!out.has(k)) out.set(k, []);
            out.get(k).push(item);
        }
        return out;
    };
}
