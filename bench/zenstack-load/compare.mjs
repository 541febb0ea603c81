// Sends the same requests to `zgen serve` and to ZenStack's server (both on
// fresh databases of schema.zmodel, as run.sh starts them) and prints each
// pair whose status or body differ.
//
//   node compare.mjs http://127.0.0.1:18080/api/model http://127.0.0.1:18081/api/model
import crypto from 'node:crypto';

const [zgen, zenstack] = process.argv.slice(2);
const secret = process.env.ZGEN_JWT_SECRET;
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const token = (id) => {
    const head = b64({ alg: 'HS256', typ: 'JWT' });
    const body = b64({ id, exp: Math.floor(Date.now() / 1000) + 600 });
    const sig = crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${sig}`;
};
const q = (v) => `?q=${encodeURIComponent(JSON.stringify(v))}`;

const steps = [
    ['POST', '/user/create', { data: { email: 'a@x.io' } }, 1],
    ['POST', '/user/create', { data: { email: 'b@x.io' } }, 2],
    ['POST', '/user/create', { data: { email: 'c@x.io' } }, null],
    ['POST', '/user/create', { data: { email: 'a@x.io' } }, 1],
    ['POST', '/post/create', { data: { title: 'p1', authorId: 1, published: true }, select: { id: true, title: true } }, 1],
    ['POST', '/post/create', { data: { title: 'p2', authorId: 1 }, select: { id: true } }, 1],
    ['POST', '/post/create', { data: { title: 'p3', authorId: 1 } }, 2],
    ['GET', '/post/findMany' + q({ select: { title: true }, orderBy: { id: 'asc' } }), null, null],
    ['GET', '/post/findMany' + q({ select: { title: true }, orderBy: { id: 'asc' } }), null, 1],
    ['GET', '/Post/count', null, 2],
    ['GET', '/post/findUnique' + q({ where: { id: 2 } , select: { id: true } }), null, 2],
    ['GET', '/post/aggregate' + q({ _count: { _all: true }, _max: { views: true } }), null, 1],
    ['GET', '/post/groupBy' + q({ by: ['published'], _count: { _all: true }, orderBy: { published: 'asc' } }), null, 1],
    ['GET', '/post/exists' + q({ where: { id: 2 } }), null, 2],
    ['PUT', '/post/update', { where: { id: 2 }, data: { views: { increment: 2 } }, select: { views: true } }, 1],
    ['PATCH', '/post/update', { where: { id: 2 }, data: { title: 'x' } }, 2],
    ['PATCH', '/post/updateMany', { data: { views: 1 } }, 2],
    ['DELETE', '/post/delete' + q({ where: { id: 1 }, select: { id: true } }), null, 2],
    ['DELETE', '/post/deleteMany' + q({ where: { id: 99 } }), null, 1],
    ['GET', '/post/findMany' + q({ wherever: 1 }), null, 1],
    ['GET', '/nobody/findMany', null, null],
    ['GET', '/post/explode', null, null],
    ['POST', '/post/findMany', {}, null],
    ['GET', '/post/create', null, null],
    ['POST', '/post/update', {}, null],
    ['GET', '/post/delete', null, null],
    ['GET', '/post', null, null],
    ['GET', '/post/findMany?q=%7Bx', null, null],
    ['POST', '/$transaction/sequential', [{ model: 'Post', op: 'create', args: { data: { title: 't', authorId: 1 } } }, { model: 'post', op: 'update', args: { where: { id: 3 }, data: { title: 'no' } } }], 1],
    ['POST', '/$transaction/sequential', [{ model: 'Post', op: 'count' }, { model: 'post', op: 'findFirst', args: { where: { id: 2 }, select: { id: true } } }], 1],
    ['POST', '/$transaction/sequential', [], 1],
    ['POST', '/$transaction/sequential', [{ model: 'Post', op: 'drop' }], 1],
    ['POST', '/$transaction/parallel', [{ model: 'Post', op: 'count' }], 1],
    ['GET', '/post/count', null, 'forged'],
];

let differ = 0;
for (const [method, path, body, who] of steps) {
    const headers = { 'content-type': 'application/json' };
    if (who !== null) headers.authorization = `Bearer ${who === 'forged' ? token(1) + 'x' : token(who)}`;
    const init = { method, headers, body: body === null ? undefined : JSON.stringify(body) };
    const [a, b] = await Promise.all([zgen, zenstack].map(async (base) => {
        const r = await fetch(base + path, init);
        return { status: r.status, body: await r.text() };
    }));
    // Timestamps of rows created a few milliseconds apart are not a difference.
    const norm = (t) => JSON.stringify(JSON.parse(t)).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>');
    const same = a.status === b.status && norm(a.body) === norm(b.body);
    if (!same) {
        differ++;
        console.log(`${method} ${decodeURIComponent(path)} as ${who}\n  zgen     ${a.status} ${a.body}\n  zenstack ${b.status} ${b.body}`);
    }
}
console.log(`${steps.length - differ} of ${steps.length} requests answered alike`);
