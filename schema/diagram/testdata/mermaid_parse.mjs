// Parses a Mermaid diagram read from stdin with the real mermaid package
// and prints what it understood, as JSON: the entities with their
// attributes, and the relationships. Usage:
//
//	node mermaid_parse.mjs /path/to/node_modules < diagram.mmd
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const require = createRequire(join(process.argv[2], 'noop.js'));
const mermaid = (await import(pathToFileURL(require.resolve('mermaid')).href)).default;
const text = readFileSync(0, 'utf8');
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
  console.log(JSON.stringify({ entities, relationships }));
} catch (e) {
  console.error('mermaid: ' + (e.message ?? e));
  process.exit(1);
}
