package query

import (
	"fmt"
	"reflect"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/guregu/dynamo/v2"
)

// Options configures a [Repo]. A nil *Options means the defaults.
type Options struct {
	// Namer maps the model's base table name to the table to use.
	Namer model.Namer
	// Now returns the time written to created and updated attributes;
	// nil means time.Now.
	Now func() time.Time
}

// Repo is typed access to the table of model type T. It is safe for
// concurrent use.
type Repo[T any] struct {
	db    *dynamo.DB
	m     *model.Model
	table string
	now   func() time.Time
}

// New returns a Repo for T, which must be a valid model (see package model).
func New[T any](db *dynamo.DB, opts *Options) (*Repo[T], error) {
	if db == nil {
		return nil, fmt.Errorf("query: nil *dynamo.DB")
	}
	m, err := model.Of[T]()
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	if reflect.TypeFor[T]().Kind() != reflect.Struct {
		return nil, fmt.Errorf("query: %s: the type parameter must be the struct type, not a pointer", reflect.TypeFor[T]())
	}
	r := &Repo[T]{db: db, m: m, now: time.Now}
	var namer model.Namer
	if opts != nil {
		namer = opts.Namer
		if opts.Now != nil {
			r.now = opts.Now
		}
	}
	r.table = m.TableName(namer)
	return r, nil
}

// Model returns the model of T.
func (r *Repo[T]) Model() *model.Model { return r.m }

// TableName returns the name of the table the Repo uses.
func (r *Repo[T]) TableName() string { return r.table }

// DB returns the database handle the Repo was made with.
func (r *Repo[T]) DB() *dynamo.DB { return r.db }

// name returns the expression name of a model attribute; attribute names
// may contain dots, so they are never split into paths.
func name(attr string) expression.NameBuilder { return expression.NameNoDotSplit(attr) }

// marshal encodes a caller's value with guregu/dynamo's rules, so values in
// expressions match values in items.
func marshal(v any) (types.AttributeValue, error) {
	if av, ok := v.(types.AttributeValue); ok {
		return av, nil
	}
	av, err := dynamo.Marshal(v)
	if err != nil {
		return nil, err
	}
	if av == nil {
		return &types.AttributeValueMemberNULL{Value: true}, nil
	}
	return av, nil
}

// keyExists is the condition that the item with the model's key exists.
func (r *Repo[T]) keyExists() expression.ConditionBuilder {
	return expression.AttributeExists(name(r.m.Key.Hash.Name))
}

func (r *Repo[T]) keyMissing() expression.ConditionBuilder {
	return expression.AttributeNotExists(name(r.m.Key.Hash.Name))
}

// stamp sets the created, updated and version attributes of v before a
// write. created is set only when creating (or when still zero).
func (r *Repo[T]) stamp(v *T, creating bool) {
	rv := reflect.ValueOf(v).Elem()
	now := r.now()
	if a := r.m.Created; a != nil {
		f := rv.FieldByIndex(a.Index)
		if creating || f.IsZero() {
			setTime(f, now)
		}
	}
	if a := r.m.Updated; a != nil {
		setTime(rv.FieldByIndex(a.Index), now)
	}
}

func setTime(f reflect.Value, t time.Time) {
	for f.Kind() == reflect.Pointer {
		if f.IsNil() {
			f.Set(reflect.New(f.Type().Elem()))
		}
		f = f.Elem()
	}
	switch f.Kind() {
	case reflect.Struct:
		f.Set(reflect.ValueOf(t))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.SetInt(t.Unix())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f.SetUint(uint64(t.Unix()))
	}
}

// version returns the version field of v (0 without a version attribute).
func (r *Repo[T]) version(rv reflect.Value) int64 {
	if r.m.Version == nil {
		return 0
	}
	f := rv.FieldByIndex(r.m.Version.Index)
	if f.CanInt() {
		return f.Int()
	}
	return int64(f.Uint())
}

func (r *Repo[T]) setVersion(rv reflect.Value, n int64) {
	f := rv.FieldByIndex(r.m.Version.Index)
	if f.CanInt() {
		f.SetInt(n)
	} else {
		f.SetUint(uint64(n))
	}
}

// decode decodes an item into a new T.
func (r *Repo[T]) decode(item map[string]types.AttributeValue) (T, error) {
	var out T
	err := r.decodeTo(item, &out)
	return out, err
}

// decodeTo decodes an item into *dst, zeroed first. Decoding a page into
// one reused T (or into the page's slice) saves an allocation per item.
func (r *Repo[T]) decodeTo(item map[string]types.AttributeValue, dst *T) error {
	var zero T
	*dst = zero
	return r.m.Decode(item, dst)
}

// KeyExists returns the condition that an item with the model's key exists,
// for use with [Repo.Delete], [Repo.TxDelete] or [Update.If].
func (r *Repo[T]) KeyExists() expression.ConditionBuilder { return r.keyExists() }
