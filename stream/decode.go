package stream

import (
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/collectionlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// Event is a stream record decoded into T: the record (its kind, keys,
// raw images, sequence number and time) and its images as T.
type Event[T any] struct {
	Record
	// Old is the item before the change and New the item after it,
	// decoded into T; nil when the record holds no such image (see
	// [Record.OldImage]).
	Old, New *T
}

// Decoder decodes stream records of one table into T: a model's type
// ([NewDecoder]) or a collection's [query.Entity] ([NewCollectionDecoder]).
// It is safe for concurrent use.
type Decoder[T any] struct {
	// decode decodes an image; ok is false for an image of another
	// entity type than a model's.
	decode func(item map[string]types.AttributeValue) (v T, ok bool, err error)
	// table names the table on a client.
	table func(db *dynamokit.Client) string
	what  string // the model or collection, for errors
}

// NewDecoder returns the Decoder of model T, which decodes images through
// T's mapping, as [query.Table] decodes the items it reads. For a model
// with an entity-type attribute (dynamokit:"type"), sharing its table
// with others, an image of another entity type is not T's: an event whose
// images are all of other types is skipped, as a query of T skips their
// items (use [NewCollectionDecoder] to see every type). A type that
// cannot be a model returns its *model.TagError.
func NewDecoder[T any]() (*Decoder[T], error) {
	pub, err := model.Of[T]()
	if err != nil {
		return nil, err
	}
	if reflect.TypeFor[T]().Kind() != reflect.Struct {
		return nil, fmt.Errorf("stream: %s: the type parameter must be the struct type, not a pointer", reflect.TypeFor[T]())
	}
	m := mapping.Must(pub)
	return &Decoder[T]{
		decode: func(item map[string]types.AttributeValue) (T, bool, error) {
			var v T
			if !m.IsEntity(item) {
				return v, false, nil
			}
			err := m.Decode(item, &v)
			return v, true, err
		},
		table: func(db *dynamokit.Client) string { return db.TableName(pub) },
		what:  m.Type.String(),
	}, nil
}

// NewCollectionDecoder returns the Decoder of col's table, which decodes
// each image as a query of col decodes an item: into its member's model,
// chosen by the entity-type attribute, as the [query.Entity]'s Value; an
// image of an entity type no member declares is reported, not dropped,
// as an Entity with Raw set (Known false).
func NewCollectionDecoder(col *query.Collection) (*Decoder[query.Entity], error) {
	if col == nil {
		return nil, fmt.Errorf("stream: nil *query.Collection")
	}
	return &Decoder[query.Entity]{
		decode: func(item map[string]types.AttributeValue) (query.Entity, bool, error) {
			e, err := collectionlink.Decode(col, item)
			if err != nil {
				return query.Entity{}, true, err
			}
			return e.(query.Entity), true, nil
		},
		table: func(*dynamokit.Client) string { return col.TableName() },
		what:  "collection " + col.Name(),
	}, nil
}

// Decode decodes rec's images into T. ok is false when the Decoder skips
// the record: a model's decoder given a record whose images are all of
// other entity types (see [NewDecoder]). An image T cannot hold is an
// error (a *model.DecodeError naming the field) wrapped with the record's
// sequence number.
func (d *Decoder[T]) Decode(rec Record) (ev Event[T], ok bool, err error) {
	ev.Record = rec
	images, ours := 0, 0
	for _, f := range []struct {
		dst **T
		src map[string]types.AttributeValue
		of  string
	}{{&ev.Old, rec.OldImage, "old image"}, {&ev.New, rec.NewImage, "new image"}} {
		if f.src == nil {
			continue
		}
		images++
		v, mine, err := d.decode(f.src)
		if err != nil {
			return Event[T]{}, false, fmt.Errorf("stream: %s: record %s: %s: %w", d.what, rec.SequenceNumber, f.of, err)
		}
		if mine {
			ours++
			*f.dst = &v
		}
	}
	if images > 0 && ours == 0 {
		return Event[T]{}, false, nil
	}
	return ev, true, nil
}

// Lambda decodes payload, the JSON event AWS Lambda gives a function
// subscribed to the table's stream (see [ParseLambda]), into events, in
// the event's order, leaving out the records [Decoder.Decode] skips.
func (d *Decoder[T]) Lambda(payload []byte) ([]Event[T], error) {
	recs, err := ParseLambda(payload)
	if err != nil {
		return nil, err
	}
	out := make([]Event[T], 0, len(recs))
	for _, rec := range recs {
		ev, ok, err := d.Decode(rec)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, ev)
		}
	}
	return out, nil
}
