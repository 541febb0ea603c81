// ZenStack's own RPC server (@zenstackhq/server's RPCApiHandler over
// node:http), with the same HS256 bearer-token auth as `zgen serve`, for
// the comparison in docs/benchmarks.md.
//
//   ZGEN_JWT_SECRET=... node server.mjs DB_PATH PORT
//
// Tables must exist (created with `zgen db push`, so both servers use the
// same DDL).
import http from 'node:http';
import crypto from 'node:crypto';
import SQLite from 'better-sqlite3';
import { ZenStackClient } from '@zenstackhq/orm';
import { SqliteDialect } from '@zenstackhq/orm/dialects/sqlite';
import { PolicyPlugin } from '@zenstackhq/plugin-policy';
import { RPCApiHandler } from '@zenstackhq/server/api';
import { createJiti } from 'jiti';

const [dbPath = 'load.db', port = '8081'] = process.argv.slice(2);
const secret = process.env.ZGEN_JWT_SECRET;
if (!secret) throw new Error('set ZGEN_JWT_SECRET');

const jiti = createJiti(import.meta.url);
const { schema } = await jiti.import('./generated/schema.ts');

const sqlite = new SQLite(dbPath);
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('busy_timeout = 5000');
const db = new ZenStackClient(schema, { dialect: new SqliteDialect({ database: sqlite }) }).$use(new PolicyPlugin());
const handler = new RPCApiHandler({ schema });
const prefix = '/api/model';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** The verified payload of an HS256 token; throws on anything else. */
function verify(token) {
    const [h, p, s] = token.split('.');
    if (!h || !p || s === undefined) throw new Error('malformed token');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    if (header.alg !== 'HS256') throw new Error('token algorithm is not accepted');
    const expected = b64url(crypto.createHmac('sha256', secret).update(`${h}.${p}`).digest());
    const a = Buffer.from(expected);
    const b = Buffer.from(s);
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) throw new Error('invalid token signature');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.exp !== 'number' || payload.exp + 30 < now) throw new Error('token has expired');
    if (typeof payload.nbf === 'number' && payload.nbf - 30 > now) throw new Error('token is not valid yet');
    return payload;
}

function send(res, status, body) {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
}

const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/health') return send(res, 200, { status: 'ok' });
    if (!url.pathname.startsWith(prefix + '/')) return send(res, 404, { error: { message: 'not found' } });
    let auth;
    const header = req.headers.authorization;
    if (header) {
        try {
            if (!header.startsWith('Bearer ')) throw new Error('expected `Bearer <token>`');
            auth = verify(header.slice(7).trim());
        } catch (e) {
            return send(res, 401, { error: { message: e.message } });
        }
    }
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
        size += chunk.length;
        if (size > 1024 * 1024) return send(res, 413, { error: { message: 'request body is too large' } });
        chunks.push(chunk);
    }
    let requestBody;
    if (size > 0) {
        try {
            requestBody = JSON.parse(Buffer.concat(chunks).toString());
        } catch {
            return send(res, 400, { error: { message: 'invalid request body: not valid JSON' } });
        }
    }
    const query = Object.fromEntries(url.searchParams);
    const client = auth ? db.$setAuth(auth) : db;
    const r = await handler.handleRequest({
        client,
        method: req.method,
        path: url.pathname.slice(prefix.length),
        query,
        requestBody,
    });
    send(res, r.status, r.body);
});
server.listen(Number(port), '127.0.0.1', () => console.error(`listening on http://127.0.0.1:${server.address().port}${prefix}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
