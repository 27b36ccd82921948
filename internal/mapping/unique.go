package mapping

import "strings"

// pendingUnique is a unique tag met by the walk, resolved by finish once
// every attribute and the table's key are known.
type pendingUnique struct {
	a   *Attribute
	tag string
}

// uniques resolves the unique tags into Model.Unique: the attribute must be
// a scalar (string, number or binary) that is not part of the table's key,
// and the scope, when given (unique:"scope=tenant_id"), another scalar
// attribute of the model.
func (b *builder) uniques() error {
	m := b.m
	for _, p := range b.unique {
		a := p.a
		tag := `unique:"` + p.tag + `"`
		u := &Unique{Attr: a}
		switch {
		case a == m.Key.Hash || a == m.Key.Range:
			return b.fail(a.Field, tag, "a key attribute of the table is unique already: tag a non-key attribute unique")
		case a.Type == "" || a.Set:
			return b.fail(a.Field, tag, "a unique attribute must be a scalar (a string, number or binary value), not "+typeName(a))
		}
		if p.tag != "" {
			name, ok := strings.CutPrefix(p.tag, "scope=")
			if !ok || name == "" {
				return b.fail(a.Field, tag, `want unique:"" or unique:"scope=<attribute>"`)
			}
			s := m.byName[name]
			switch {
			case s == nil:
				return b.fail(a.Field, tag, "unknown scope attribute "+name)
			case s == a:
				return b.fail(a.Field, tag, "an attribute cannot be its own scope")
			case s.Type == "" || s.Set:
				return b.fail(a.Field, tag, "the scope attribute "+name+" must be a scalar (a string, number or binary value), not "+typeName(s))
			}
			u.Scope = s
		}
		m.Unique = append(m.Unique, u)
	}
	return nil
}

// typeName names the Go type of a, for errors.
func typeName(a *Attribute) string {
	switch {
	case a.Set:
		return "a set"
	case a.GoType == nil:
		return "a computed attribute"
	}
	return a.GoType.String()
}

// UniqueTable is the name of the table that holds the uniqueness records
// of the unique attributes of the models stored in table.
func UniqueTable(table string) string { return table + "_unique" }

// UniqueHash is the hash key attribute (a string) of a UniqueTable.
const UniqueHash = "id"
