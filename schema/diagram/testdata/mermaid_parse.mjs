// Parses Mermaid diagrams read from stdin, separated by lines "---next---",
// with the real mermaid package, and prints what it understood of each, as
// a JSON array: the entities with their attributes and the relationships,
// or the parse error. Usage:
//
//	node mermaid_parse.mjs /path/to/node_modules < diagrams.txt
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const require = createRequire(join(process.argv[2], 'noop.js'));
const mermaid = (await import(pathToFileURL(require.resolve('mermaid')).href)).default;

async function parse(text) {
  try {
    const r = await mermaid.parse(text);
    if (r.diagramType !== 'er') throw new Error('diagram type ' + r.diagramType);
    const d = await mermaid.mermaidAPI.getDiagramFromText(text);
    const ids = new Map();
    const entities = [...d.db.getEntities()].map(([name, e]) => {
      ids.set(e.id, name);
      return { name, attributes: e.attributes.map(a => ({ type: a.type, name: a.name, keys: a.keys, comment: a.comment })) };
    });
    const relationships = d.db.getRelationships().map(r => ({
      from: ids.get(r.entityA), to: ids.get(r.entityB), label: r.roleA,
      cardA: r.relSpec.cardA, cardB: r.relSpec.cardB, type: r.relSpec.relType,
    }));
    return { entities, relationships };
  } catch (e) {
    return { error: String(e.message ?? e) };
  }
}

const out = [];
for (const text of readFileSync(0, 'utf8').split('\n---next---\n')) {
  out.push(await parse(text));
}
console.log(JSON.stringify(out));
