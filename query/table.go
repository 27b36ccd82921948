package query

import (
	"fmt"
	"reflect"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// Table is typed access to the table of model type T, through a
// [dynamokit.Client]: every request goes through the client's executor,
// under its namer, clock, retry policy and hooks. It is safe for
// concurrent use.
type Table[T any] struct {
	c          *dynamokit.Client
	pub        *model.Model   // the handle Model returns
	m          *mapping.Model // pub's mapping
	table      string
	consistent bool // every read is strongly consistent; see Consistent
}

// NewTable returns the Table of T on c. T must be a valid model (see
// package model); its table is named by c's namer.
func NewTable[T any](c *dynamokit.Client) (*Table[T], error) {
	if c == nil {
		return nil, fmt.Errorf("query: nil *dynamokit.Client")
	}
	pub, err := model.Of[T]()
	if err != nil {
		return nil, err // a *model.TagError naming the type and field
	}
	m, err := mapping.For(pub.Type())
	if err != nil {
		return nil, err // a *model.TagError naming the type and field
	}
	if reflect.TypeFor[T]().Kind() != reflect.Struct {
		return nil, fmt.Errorf("query: %s: the type parameter must be the struct type, not a pointer", reflect.TypeFor[T]())
	}
	return &Table[T]{c: c, pub: pub, m: m, table: c.TableName(pub)}, nil
}

// Model returns the model of T.
func (r *Table[T]) Model() *model.Model { return r.pub }

// TableName returns the name of the table.
func (r *Table[T]) TableName() string { return r.table }

// Client returns the client the Table sends its requests through.
func (r *Table[T]) Client() *dynamokit.Client { return r.c }

// Consistent returns a view of the table whose reads are strongly
// consistent: [Table.Get], [Table.BatchGet], and the [Query] and [Scan]
// started from it (with their counts and pages) ask DynamoDB for
// ConsistentRead. The view shares everything else with r, which is left
// unchanged, so both can be used side by side:
//
//	acct, err := accounts.Consistent().Get(ctx, Account{ID: "a-1"})
//
// Global secondary indexes have no consistent reads: a query or scan of
// one through the view is an error.
func (r *Table[T]) Consistent() *Table[T] {
	v := *r
	v.consistent = true
	return &v
}

// keyExists is the condition that the item with the model's key exists.
func (r *Table[T]) keyExists() expression.ConditionBuilder {
	return expression.AttributeExists(name(r.m.Key.Hash.Name))
}

func (r *Table[T]) keyMissing() expression.ConditionBuilder {
	return expression.AttributeNotExists(name(r.m.Key.Hash.Name))
}

// isEntity is the condition that the item is of the model's entity type:
// none for a model without a type attribute.
func (r *Table[T]) isEntity() []expression.ConditionBuilder {
	if r.m.EntityType == nil {
		return nil
	}
	return []expression.ConditionBuilder{name(r.m.EntityType.Name).Equal(expression.Value(r.m.Entity))}
}

// conditionKind tells why a write's condition failed, from the item as it
// was (nil when there was none): [dynamokit.ErrNotFound] for a missing item (or one of
// another entity type), [dynamokit.ErrVersionConflict] when want is a version (not 0)
// other than the stored one, else [dynamokit.ErrConditionFailed].
func (r *Table[T]) conditionKind(old map[string]types.AttributeValue, want int64) error {
	if old == nil || !r.m.IsEntity(old) {
		return dynamokit.ErrNotFound
	}
	if v := r.m.Version; v != nil && want != 0 {
		if n, ok := old[v.Name].(*types.AttributeValueMemberN); !ok || n.Value != itoa(want) {
			return dynamokit.ErrVersionConflict
		}
	}
	return dynamokit.ErrConditionFailed
}

// stamp sets the created and updated attributes of v before a write.
// created is set only when creating (or when still zero).
func (r *Table[T]) stamp(v *T, creating bool) error {
	rv := reflect.ValueOf(v).Elem()
	now := clientlink.Now(r.c)
	if a := r.m.Created; a != nil {
		cur, err := a.FieldOf(rv)
		if err != nil {
			return err
		}
		if creating || cur.IsZero() {
			if err := setStamp(rv, a, now); err != nil {
				return err
			}
		}
	}
	if a := r.m.Updated; a != nil {
		return setStamp(rv, a, now)
	}
	return nil
}

// setStamp sets the time attribute a of rv to t.
func setStamp(rv reflect.Value, a *mapping.Attribute, t time.Time) error {
	f, err := a.SettableFieldOf(rv)
	if err != nil {
		return err
	}
	setTime(f, t)
	return nil
}

// setTime sets f, a time.Time or integer field (or a pointer to one), to t.
func setTime(f reflect.Value, t time.Time) {
	f = fresh(f)
	switch f.Kind() {
	case reflect.Struct:
		f.Set(reflect.ValueOf(t))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.SetInt(t.Unix())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f.SetUint(uint64(t.Unix()))
	}
}

// stampValue is the value setTime gives attribute a, as DynamoDB stores it.
func stampValue(a *mapping.Attribute, t time.Time) (types.AttributeValue, error) {
	typ := a.GoType
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ == typeTime {
		return encodeValue(a, t)
	}
	return &types.AttributeValueMemberN{Value: itoa(t.Unix())}, nil
}

// version returns the version field of rv, a T (0 without a version
// attribute, or when a nil embedded pointer hides it).
func (r *Table[T]) version(rv reflect.Value) int64 {
	if r.m.Version == nil {
		return 0
	}
	f, err := r.m.Version.FieldOf(rv)
	if err != nil {
		return 0 // not reached: rv is a T, and a version is a field
	}
	for f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return 0
		}
		f = f.Elem()
	}
	if f.CanInt() {
		return f.Int()
	}
	return int64(f.Uint())
}

// setVersion sets the version field of rv, a T, to n.
func (r *Table[T]) setVersion(rv reflect.Value, n int64) error {
	f, err := r.m.Version.SettableFieldOf(rv)
	if err != nil {
		return err
	}
	f = fresh(f)
	if f.CanInt() {
		f.SetInt(n)
	} else {
		f.SetUint(uint64(n))
	}
	return nil
}

// fresh returns what the field f points to, through new pointers: a
// pointer field is given a new value to set rather than written through,
// since a copy of the model value may share the value it points to.
func fresh(f reflect.Value) reflect.Value {
	for f.Kind() == reflect.Pointer {
		p := reflect.New(f.Type().Elem())
		f.Set(p)
		f = p.Elem()
	}
	return f
}

// decode decodes an item into a new T.
func (r *Table[T]) decode(item map[string]types.AttributeValue) (T, error) {
	var out T
	err := r.decodeTo(item, &out)
	return out, err
}

// decodeTo decodes an item into *dst, zeroed first. Decoding a page into
// one reused T (or into the page's slice) saves an allocation per item.
func (r *Table[T]) decodeTo(item map[string]types.AttributeValue, dst *T) error {
	var zero T
	*dst = zero
	return r.m.Decode(item, dst)
}

// KeyExists returns the condition that an item with the model's key exists,
// for use with [Table.Delete], [Table.TxDelete] or [Update.If].
func (r *Table[T]) KeyExists() Cond { return Expr(r.keyExists()) }
