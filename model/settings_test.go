package model_test

import (
	"testing"

	"github.com/dynamokit/dynamokit/model"
)

type streamed struct {
	ID string `dynamo:"id,hash"`
}

func (streamed) TableName() string { return "streamed" }
func (streamed) TableOptions() model.Options {
	return model.Options{Stream: model.StreamNewAndOldImages, Tags: map[string]string{"a": "1"}}
}

type plain struct {
	ID string `dynamo:"id,hash"`
}

func (plain) TableName() string { return "plain" }

func TestModelOptions(t *testing.T) {
	m := model.MustOf[streamed]()
	o := m.Options()
	if o.Stream != model.StreamNewAndOldImages || o.Tags["a"] != "1" {
		t.Errorf("Options() = %+v, want the declared stream and tags", o)
	}
	o.Tags["a"] = "changed"
	if got := m.Options().Tags["a"]; got != "1" {
		t.Errorf("after changing a copy, Options().Tags[a] = %q, want 1", got)
	}
	if got := model.MustOf[plain]().Options(); got.Stream != "" || got.Tags != nil {
		t.Errorf("Options() of a model without TableOptions = %+v, want zero", got)
	}
	if got := (*model.Model)(nil).Options(); got.Stream != "" {
		t.Errorf("nil Model Options() = %+v", got)
	}
}
