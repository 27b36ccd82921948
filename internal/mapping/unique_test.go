package mapping

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestUniqueTag: the unique tag on a scalar non-key attribute, scoped or
// not, and each mistake refused as a *TagError naming the field and tag.
func TestUniqueTag(t *testing.T) {
	typString, typInt, typBytes := reflect.TypeFor[string](), reflect.TypeFor[int](), reflect.TypeFor[[]byte]()
	tests := []struct {
		name      string
		typ       reflect.Type
		tag       reflect.StructTag
		scope     string // the Unique's scope attribute, when valid
		wantError string // part of the reason, "" for a valid model
	}{
		{name: "string", typ: typString, tag: `dynamo:"email" unique:""`},
		{name: "number", typ: typInt, tag: `dynamo:"n" unique:""`},
		{name: "binary", typ: typBytes, tag: `dynamo:"b" unique:""`},
		{name: "scoped", typ: typString, tag: `dynamo:"email" unique:"scope=tenant"`, scope: "tenant"},
		{name: "scoped by the hash key", typ: typString, tag: `dynamo:"email" unique:"scope=id"`, scope: "id"},
		{name: "index key", typ: typString, tag: `dynamo:"email" index:"by-email,hash" unique:""`},
		{name: "hash key", typ: typString, tag: `dynamo:"v,hash" unique:""`, wantError: "key attribute"},
		{name: "map", typ: reflect.TypeFor[map[string]string](), tag: `dynamo:"v" unique:""`, wantError: "scalar"},
		{name: "list", typ: reflect.TypeFor[[]string](), tag: `dynamo:"v" unique:""`, wantError: "scalar"},
		{name: "set", typ: reflect.TypeFor[[]string](), tag: `dynamo:"v,set" unique:""`, wantError: "scalar"},
		{name: "missing scope", typ: typString, tag: `dynamo:"v" unique:"scope=nope"`, wantError: "unknown scope attribute nope"},
		{name: "own scope", typ: typString, tag: `dynamo:"v" unique:"scope=v"`, wantError: "its own scope"},
		{name: "non-scalar scope", typ: typString, tag: `dynamo:"v" unique:"scope=tags"`, wantError: "scope attribute tags must be a scalar"},
		{name: "bad option", typ: typString, tag: `dynamo:"v" unique:"tenant"`, wantError: "scope=<attribute>"},
		{name: "empty scope", typ: typString, tag: `dynamo:"v" unique:"scope="`, wantError: "scope=<attribute>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fields := []reflect.StructField{
				{Name: "ID", Type: typString, Tag: `dynamo:"id,hash"`},
				{Name: "Tenant", Type: typString, Tag: `dynamo:"tenant"`},
				{Name: "Tags", Type: reflect.TypeFor[[]string](), Tag: `dynamo:"tags"`},
				{Name: "V", Type: tc.typ, Tag: tc.tag},
			}
			if tc.name == "hash key" {
				fields = fields[1:]
			}
			// The walk and the unique tags' resolution, as build makes them
			// (build also wants a TableName method, which StructOf cannot
			// give).
			b, err := newBuilder(reflect.StructOf(fields))
			if err != nil {
				t.Fatal(err)
			}
			if err = b.walk(); err == nil {
				err = b.uniques()
			}
			m := b.m
			if tc.wantError != "" {
				var te *TagError
				if !errors.As(err, &te) || !errors.Is(err, ErrInvalid) || !strings.Contains(te.Reason, tc.wantError) || te.Field != "V" || !strings.Contains(te.Tag, "unique") {
					t.Fatalf("build = %v, want a TagError of field V, its unique tag, saying %q", err, tc.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Unique) != 1 || m.Unique[0].Attr != m.Attributes[len(m.Attributes)-1] {
				t.Fatalf("Unique = %v, want the attribute of V", m.Unique)
			}
			scope := ""
			if s := m.Unique[0].Scope; s != nil {
				scope = s.Name
			}
			if scope != tc.scope {
				t.Errorf("scope = %q, want %q", scope, tc.scope)
			}
		})
	}
}
