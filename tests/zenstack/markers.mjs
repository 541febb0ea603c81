// Prints the "Current markers" lists of docs/conformance.md from the
// scenario files: node markers.mjs
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');
const kinds = [
    ['known_bug', 'Known zgen bugs (`known_bug`)'],
    ['difference', 'Deliberate differences (`difference`)'],
    ['zenstack_bug', 'ZenStack bugs (`zenstack_bug`)'],
];
const rows = Object.fromEntries(kinds.map(([k]) => [k, []]));
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const spec = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    for (const scenario of spec.scenarios) {
        // One line per distinct note: a scenario may carry several.
        const seen = new Set();
        for (const step of scenario.steps) {
            for (const [k] of kinds) {
                if (step[k] && !seen.has(`${k}:${step[k]}`)) {
                    seen.add(`${k}:${step[k]}`);
                    rows[k].push(`- \`${file}\` — *${scenario.name}*: ${step[k]}`);
                }
            }
        }
    }
}
console.log(kinds.map(([k, title]) => `### ${title}\n\n${rows[k].join('\n')}`).join('\n\n'));
