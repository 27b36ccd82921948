// Package diagram draws dynamokit models, their relations and their
// collections as a Mermaid entity-relationship diagram
// (https://mermaid.js.org/syntax/entityRelationshipDiagram.html), text to
// paste into a README or an issue tracker that renders Mermaid.
//
// Each model is an entity named after its Go type, with one row per
// attribute: its DynamoDB type, its name, PK for the table's key attributes
// and FK for a relation's link attributes, and a comment that says what
// the attribute is for (the table's partition or sort key and its
// template, an index key, the entity type). A one-to-many relation is a
// ||--o{ edge labelled with its layout, index and delete policy; a
// many-to-many relation is a }o--o{ edge between its endpoints, labelled
// with its edge model, index and both delete policies, and the edge model
// is joined to each endpoint by a dotted line. A collection is an entity
// of its own, "collection name", holding the partition key its members
// share, with a dotted line to each member.
//
// The package schema/schemacmd prints the diagram from a command line.
package diagram
