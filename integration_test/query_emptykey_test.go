package integration_test

import (
	"errors"
	"testing"

	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// allowEmptyKey asks for an empty key: DynamoDB never accepts one.
type allowEmptyKey struct {
	ID string `dynamo:"id,hash,allowempty"`
}

func (allowEmptyKey) TableName() string { return "allowempty" }

// binDoc and binPart share a table, keyed by templates of a binary
// attribute that may be stored empty (allowempty): a key built from an
// empty value is empty, even when the template adds a prefix.
type binDoc struct {
	_    struct{} `dynamo:"pk,hash" template:"D#{bin}"`
	_    struct{} `dynamo:"sk,range" template:"DOC"`
	_    struct{} `dynamo:"entity" template:"Doc" dynamokit:"type"`
	Bin  []byte   `dynamo:"bin,allowempty"`
	Name string   `dynamo:"name,omitempty"`
}

func (binDoc) TableName() string { return "bindoc" }

type binPart struct {
	_      struct{} `dynamo:"pk,hash" template:"D#{bin}"`
	_      struct{} `dynamo:"sk,range" template:"PART#{part_id}"`
	_      struct{} `dynamo:"entity" template:"Part" dynamokit:"type"`
	Bin    []byte   `dynamo:"bin,allowempty"`
	PartID string   `dynamo:"part_id"`
}

func (binPart) TableName() string { return "bindoc" }

// TestEmptyKeyAttribute: no call sends a request with an empty key
// attribute; each returns an error matching model.ErrEmptyKey before
// sending anything.
func TestEmptyKeyAttribute(t *testing.T) {
	t.Parallel()
	t.Run("allowempty key", func(t *testing.T) {
		// Once accepted: Get and Delete sent id "" and moto's Delete
		// returned nil.
		_, err := query.NewTable[allowEmptyKey](graphClient(t))
		if !errors.Is(err, model.ErrInvalid) {
			t.Errorf("query.NewTable of a model with an allowempty key = %v, want model.ErrInvalid", err)
		}
	})

	t.Run("computed from an empty value", func(t *testing.T) {
		e := newEnv(t, must[binDoc](t), must[binPart](t))
		db, c := countingDB(t)
		docs := tableOf[binDoc](t, e, db, nil)
		parts := tableOf[binPart](t, e, db, nil)
		rel, err := relations.Declare(docs, parts, relations.Spec{Layout: relations.ItemCollection, Together: true, OnDelete: relations.Cascade})
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		empty := binDoc{Bin: []byte{}, Name: "n"}
		part := binPart{Bin: []byte{}, PartID: "p-1"}
		var dst binDoc
		calls := []struct {
			name string
			run  func() error
		}{
			{"Get", func() error { _, err := docs.Get(ctx, empty); return err }},
			{"Delete", func() error { return docs.Delete(ctx, empty) }},
			{"Update", func() error { return docs.Update(empty).Set("name", "m").Run(ctx) }},
			{"Put", func() error { v := empty; return docs.Put(ctx, &v) }},
			{"Create", func() error { v := empty; return docs.Create(ctx, &v) }},
			{"BatchGet", func() error { _, err := docs.BatchGet(ctx, []binDoc{empty}, nil); return err }},
			{"BatchPut", func() error { return docs.BatchPut(ctx, []binDoc{empty}, nil) }},
			{"BatchDelete", func() error { return docs.BatchDelete(ctx, []binDoc{empty}, nil) }},
			{"Query", func() error { _, err := docs.Query(empty).Collect(ctx); return err }},
			{"WriteTx put", func() error { v := empty; return db.WriteTx(ctx, nil, docs.TxPut(&v)) }},
			{"WriteTx delete", func() error { return db.WriteTx(ctx, nil, docs.TxDelete(empty)) }},
			{"WriteTx check", func() error { return db.WriteTx(ctx, nil, docs.Check(empty, docs.KeyExists())) }},
			{"ReadTx", func() error { return db.ReadTx(ctx, docs.TxGet(empty, &dst)) }},
			{"relations Children", func() error { _, err := rel.Children(empty).Collect(ctx); return err }},
			{"relations ParentWithChildren", func() error { _, _, err := rel.ParentWithChildren(ctx, empty); return err }},
			{"relations DeleteParent", func() error { return rel.DeleteParent(ctx, empty, nil) }},
			{"relations Link", func() error { v := part; return rel.Link(ctx, &v, empty) }},
			{"relations CountChildren", func() error { _, err := rel.CountChildren(ctx, empty); return err }},
			{"relations Relink", func() error { return rel.Relink(ctx, part, empty) }},
			{"relations ParentOf", func() error { _, err := rel.ParentOf(ctx, part); return err }},
		}
		for _, call := range calls {
			c.take()
			err := call.run()
			if !errors.Is(err, model.ErrEmptyKey) {
				t.Errorf("%s with an empty key = %v, want ErrEmptyKey", call.name, err)
			}
			if ops, _ := c.take(); len(ops) > 0 {
				t.Errorf("%s with an empty key sent %v, want nothing", call.name, ops)
			}
		}
	})
}
