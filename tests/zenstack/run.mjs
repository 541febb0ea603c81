// Runs the conformance scenarios through ZenStack v3 itself and prints one
// JSON document with every step's outcome and each scenario's final
// database state. crates/zgen-conformance/tests/zenstack.rs runs the same
// scenarios through zgen and compares (docs/conformance.md).
//
//   node run.mjs [FILTER]   FILTER: only scenario files whose name contains it
//
// Per scenario: a fresh SQLite file, tables from ZenStack's `$pushSchema()`
// (`zen db push` needs Prisma's engines, which cannot be downloaded here)
// plus the many-to-many join tables it leaves out, from zgen's DDL,
// seed rows inserted with plain SQL (no policies), then the steps through a
// client with the policy plugin.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import Decimal from 'decimal.js';
import { createJiti } from 'jiti';
import { AnyNull, DbNull, JsonNull, ORMError, ZenStackClient } from '@zenstackhq/orm';
import { SqliteDialect } from '@zenstackhq/orm/dialects/sqlite';
import { PolicyPlugin } from '@zenstackhq/plugin-policy';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const nulls = { DbNull, JsonNull, AnyNull };

// ---------------------------------------------------------------------------
// Schemas: `zen generate` once per schema, again when the .zmodel is newer.

/** Runs `zen generate` for `name` unless its output is current. */
function generate(name) {
    const source = path.join(here, 'schemas', `${name}.zmodel`);
    const out = path.join(here, 'generated', name);
    const target = path.join(out, 'schema.ts');
    if (existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs) {
        return Promise.resolve(target);
    }
    const cli = path.join(here, 'node_modules', '@zenstackhq', 'cli', 'bin', 'cli');
    const args = [cli, 'generate', '--schema', source, '--output', out, '--no-version-check', '--no-tips', '--silent',
        '--generate-input', 'false'];
    const env = {
        ...process.env,
        DO_NOT_TRACK: '1',
        // Node 20 lacks Object.groupBy, which the CLI uses.
        NODE_OPTIONS: `--require ${path.join(here, 'polyfill.cjs')}`,
    };
    return new Promise((resolve, reject) => {
        execFile(process.execPath, args, { cwd: here, env }, (error, stdout, stderr) => {
            if (error) reject(new Error(`zen generate ${name} failed:\n${stdout}\n${stderr}`));
            else resolve(target);
        });
    });
}

/** Generates every schema in `names`, as many at a time as there are cores. */
async function generateAll(names) {
    const queue = [...new Set(names)];
    const workers = Array.from({ length: Math.max(1, availableParallelism()) }, async () => {
        while (queue.length > 0) await generate(queue.shift());
    });
    await Promise.all(workers);
}

const jiti = createJiti(import.meta.url);
const schemas = new Map();

async function loadSchema(name) {
    if (!schemas.has(name)) {
        const module = await jiti.import(await generate(name));
        schemas.set(name, module.schema);
    }
    return schemas.get(name);
}

// ---------------------------------------------------------------------------
// Values: tagged JSON in, tagged JSON out.

/**
 * Scenario arguments: `{"$bytes": [..]}` and `{"$bigint": "…"}` become JS values,
 * `{"__brand": "DbNull"}` (JsonNull, AnyNull) the ORM's sentinel, which it
 * serializes to.
 */
function decodeArgs(value) {
    if (Array.isArray(value)) return value.map(decodeArgs);
    if (value && typeof value === 'object') {
        const keys = Object.keys(value);
        if (keys.length === 1 && keys[0] === '$bytes') return Uint8Array.from(value.$bytes);
        if (keys.length === 1 && keys[0] === '$bigint') return BigInt(value.$bigint);
        if (keys.length === 1 && keys[0] === '__brand' && value.__brand in nulls) return nulls[value.__brand];
        return Object.fromEntries(keys.map((k) => [k, decodeArgs(value[k])]));
    }
    return value;
}

/** Results: dates as ISO text, decimals as text, bytes as arrays, bigints tagged. */
function encode(value) {
    if (value === undefined) return undefined;
    if (value === null) return null;
    if (typeof value === 'bigint') return { $bigint: value.toString() };
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (Decimal.isDecimal(value)) return value.toString();
    if (value instanceof Uint8Array) return Array.from(value);
    if (Array.isArray(value)) return value.map(encode);
    if (typeof value === 'object') {
        if (value.constructor?.name === 'Decimal' && typeof value.toFixed === 'function') return value.toString();
        const out = {};
        for (const [k, v] of Object.entries(value)) {
            const e = encode(v);
            if (e !== undefined) out[k] = e;
        }
        return out;
    }
    return value;
}

/** Stored values: integers exact (tagged when unsafe), blobs tagged. */
function encodeStored(value) {
    if (typeof value === 'bigint') {
        return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(value)
            : { $bigint: value.toString() };
    }
    if (value instanceof Uint8Array) return { $bytes: Array.from(value) };
    return value;
}

/** A seed value as an SQLite parameter. */
function toSql(value) {
    if (value === true) return 1;
    if (value === false) return 0;
    if (value && typeof value === 'object') {
        if (Array.isArray(value.$bytes)) return Buffer.from(value.$bytes);
        if (typeof value.$bigint === 'string') return BigInt(value.$bigint);
        return JSON.stringify(value);
    }
    return value;
}

// ---------------------------------------------------------------------------
// Database setup and state.

const quote = (name) => `"${name.replaceAll('"', '""')}"`;

function seed(sqlite, rowsByTable) {
    for (const [table, rows] of Object.entries(rowsByTable ?? {})) {
        for (const row of rows) {
            const columns = Object.keys(row);
            const sql = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES (${columns
                .map(() => '?')
                .join(', ')})`;
            sqlite.prepare(sql).run(...columns.map((c) => toSql(row[c])));
        }
    }
}

/**
 * `$pushSchema()` creates no implicit many-to-many join tables: those come
 * from zgen's DDL, which the Rust test writes to generated/ddl/NAME.json.
 */
function createMissingTables(sqlite, schemaName) {
    const file = path.join(here, 'generated', 'ddl', `${schemaName}.json`);
    if (!existsSync(file)) return;
    const existing = new Set(sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name));
    for (const [table, statements] of Object.entries(JSON.parse(readFileSync(file, 'utf8')))) {
        if (!existing.has(table)) for (const stmt of statements) sqlite.exec(stmt);
    }
}

function dumpState(sqlite) {
    const tables = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all()
        .map((r) => r.name);
    const state = {};
    for (const table of tables) {
        const stmt = sqlite.prepare(`SELECT * FROM ${quote(table)}`).safeIntegers(true);
        state[table] = stmt.all().map((row) => {
            const out = {};
            for (const [k, v] of Object.entries(row)) out[k] = encodeStored(v);
            return out;
        });
    }
    return state;
}

// ---------------------------------------------------------------------------
// Steps.

const lowerFirst = (s) => s.charAt(0).toLowerCase() + s.slice(1);

function errorOutcome(e) {
    if (e instanceof ORMError) {
        return {
            error: {
                reason: e.reason,
                sub: e.rejectedByPolicyReason ?? null,
                model: e.model ?? null,
                message: e.message,
                dbErrorCode: e.dbErrorCode ?? null,
            },
        };
    }
    return { error: { reason: 'exception', sub: null, model: null, message: String(e?.stack ?? e) } };
}

async function runStep(client, step) {
    const scoped = step.auth == null ? client : client.$setAuth(decodeArgs(step.auth));
    const delegate = scoped[lowerFirst(step.model)];
    if (!delegate || typeof delegate[step.op] !== 'function') {
        return { error: { reason: 'exception', sub: null, model: step.model, message: `no operation ${step.model}.${step.op}` } };
    }
    try {
        const result = await delegate[step.op](decodeArgs(step.args ?? {}));
        return { ok: encode(result) ?? null };
    } catch (e) {
        return errorOutcome(e);
    }
}

async function runScenario(dir, schemaName, defaultSeed, scenario, index) {
    const schema = await loadSchema(schemaName);
    const file = path.join(dir, `${index}.db`);
    const sqlite = new SQLite(file);
    // A throwaway file: no fsync per statement.
    sqlite.pragma('journal_mode = MEMORY');
    sqlite.pragma('synchronous = OFF');
    try {
        const base = new ZenStackClient(schema, { dialect: new SqliteDialect({ database: sqlite }) });
        await base.$pushSchema();
        createMissingTables(sqlite, schemaName);
        seed(sqlite, scenario.seed ?? defaultSeed);
        const client = base.$use(new PolicyPlugin());
        const steps = [];
        for (const step of scenario.steps) steps.push(await runStep(client, step));
        return { name: scenario.name, steps, state: dumpState(sqlite) };
    } catch (e) {
        return { name: scenario.name, setupError: String(e?.stack ?? e) };
    } finally {
        sqlite.close();
    }
}

async function main() {
    const started = performance.now();
    const dir = mkdtempSync(path.join(tmpdir(), 'zgen-zenstack-'));
    const files = readdirSync(path.join(here, 'scenarios'))
        .filter((f) => f.endsWith('.json') && f.includes(filter))
        .sort();
    const specs = files.map((name) => [name, JSON.parse(readFileSync(path.join(here, 'scenarios', name), 'utf8'))]);
    await generateAll(specs.map(([, spec]) => spec.schema));
    const out = { zenstack: '3.9.4', files: [] };
    let count = 0;
    try {
        for (const [name, spec] of specs) {
            const scenarios = [];
            for (const scenario of spec.scenarios) {
                scenarios.push(await runScenario(dir, spec.schema, spec.seed, scenario, count++));
            }
            out.files.push({ file: name, scenarios });
        }
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
    process.stdout.write(JSON.stringify(out, null, 1) + '\n');
    process.stderr.write(`zenstack: ${count} scenarios in ${Math.round(performance.now() - started)} ms\n`);
}

await main();
