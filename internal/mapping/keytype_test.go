package mapping_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
)

// orderNo is an integer that encodes itself as text: guregu/dynamo, and so
// every item, writes it as a string.
type orderNo int

func (n orderNo) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "ORD-%d", int(n)), nil }

// ptrText has MarshalText on its pointer only: guregu/dynamo writes a
// ptrText field by its kind (a number) and a *ptrText field as text.
type ptrText int

func (n *ptrText) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "P%d", int(*n)), nil }

// pairText is a struct with MarshalText on its pointer: as a field value
// it is written as a map.
type pairText struct{ A, B int }

func (p *pairText) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "%d-%d", p.A, p.B), nil }

// anyType picks its DynamoDB type value by value.
type anyType int

func (n anyType) MarshalDynamo() (types.AttributeValue, error) {
	return &types.AttributeValueMemberN{Value: fmt.Sprint(int(n))}, nil
}

type textKeys struct {
	Order  orderNo  `dynamo:"order,hash"`
	PtrVal ptrText  `dynamo:"ptrval" index:"ptrval,hash"`
	PtrPtr *ptrText `dynamo:"ptrptr" index:"ptrptr,hash"`
	OrdPtr *orderNo `dynamo:"ordptr" index:"ordptr,hash"`
}

func (textKeys) TableName() string { return "text" }

// TestKeyTypesFollowTheEncoder checks that a key's DynamoDB type is the
// type its value is written as, for types whose methods change it.
func TestKeyTypesFollowTheEncoder(t *testing.T) {
	m, err := mapping.Of[textKeys]()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]mapping.ScalarType{"order": mapping.String, "ptrval": mapping.Number, "ptrptr": mapping.String, "ordptr": mapping.String}
	p, o := ptrText(2), orderNo(3)
	item, err := m.Encode(textKeys{Order: 1, PtrVal: 2, PtrPtr: &p, OrdPtr: &o})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range want {
		if got := m.Attribute(name).Type; got != typ {
			t.Errorf("Attribute(%q).Type = %q, want %q", name, got, typ)
		}
		var written mapping.ScalarType
		switch item[name].(type) {
		case *types.AttributeValueMemberS:
			written = mapping.String
		case *types.AttributeValueMemberN:
			written = mapping.Number
		}
		if written != typ {
			t.Errorf("Encode writes %s as %T, but its type is %q", name, item[name], typ)
		}
	}
}

type marshalerHashKey struct {
	ID anyType `dynamo:"id,hash"`
}

func (marshalerHashKey) TableName() string { return "t" }

type marshalerIndexKey struct {
	ID  string  `dynamo:"id,hash"`
	Ref anyType `dynamo:"ref" index:"ref,hash"`
}

func (marshalerIndexKey) TableName() string { return "t" }

type anyKey struct {
	ID any `dynamo:"id,hash"`
}

func (anyKey) TableName() string { return "t" }

type ptrTextStructKey struct {
	P pairText `dynamo:"p,hash"`
}

func (ptrTextStructKey) TableName() string { return "t" }

type textVersion struct {
	ID      string  `dynamo:"id,hash"`
	Version orderNo `dynamo:"version" dynamokit:"version"`
}

func (textVersion) TableName() string { return "t" }

type textTTL struct {
	ID      string  `dynamo:"id,hash"`
	Expires orderNo `dynamo:"expires" dynamokit:"ttl"`
}

func (textTTL) TableName() string { return "t" }

type textCreated struct {
	ID      string  `dynamo:"id,hash"`
	Created orderNo `dynamo:"created" dynamokit:"created"`
}

func (textCreated) TableName() string { return "t" }

type textTemplateRef struct {
	ID  orderNo  `dynamo:"id"`
	Any anyType  `dynamo:"any"`
	_   struct{} `dynamo:"pk,hash" template:"O#{any}"`
}

func (textTemplateRef) TableName() string { return "t" }
