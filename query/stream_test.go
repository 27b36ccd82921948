package query

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
)

// pages is a rawread.Fetch over fixed pages of users; it counts its calls.
type pages struct {
	items [][]map[string]types.AttributeValue
	calls int
}

func (p *pages) fetch(_ context.Context, start map[string]types.AttributeValue) ([]map[string]types.AttributeValue, map[string]types.AttributeValue, error) {
	i := 0
	if start != nil {
		fmt.Sscan(start["page"].(*types.AttributeValueMemberN).Value, &i)
	}
	p.calls++
	var lek map[string]types.AttributeValue
	if i+1 < len(p.items) {
		lek = avs{"page": n(fmt.Sprint(i + 1))}
	}
	return p.items[i], lek, nil
}

func userPages(perPage, count int) *pages {
	p := &pages{}
	for i := range count {
		var page []map[string]types.AttributeValue
		for j := range perPage {
			page = append(page, avs{"id": s(fmt.Sprintf("u%d-%d", i, j))})
		}
		p.items = append(p.items, page)
	}
	return p
}

func TestStream(t *testing.T) {
	users := newTable[user](t)
	t.Run("every page", func(t *testing.T) {
		p := userPages(3, 4)
		got, err := collect(users.stream(t.Context(), "scan", p.fetch, 0))
		if err != nil || len(got) != 12 || p.calls != 4 {
			t.Errorf("collect = %d items, %v after %d calls; want 12, nil, 4", len(got), err, p.calls)
		}
	})
	t.Run("limit stops reading", func(t *testing.T) {
		p := userPages(3, 4)
		got, err := collect(users.stream(t.Context(), "scan", p.fetch, 4))
		if err != nil || len(got) != 4 || p.calls != 2 {
			t.Errorf("collect = %d items, %v after %d calls; want 4, nil, 2", len(got), err, p.calls)
		}
	})
	t.Run("cancel after the first item", func(t *testing.T) {
		p := userPages(3, 4)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var items int
		var errs []error
		for _, err := range users.stream(ctx, "Scan", p.fetch, 0) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			items++
			cancel()
		}
		if items != 1 || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
			t.Errorf("got %d items and errors %v, want 1 item and context.Canceled", items, errs)
		}
		if p.calls != 1 {
			t.Errorf("%d requests, want 1", p.calls)
		}
	})
	t.Run("break", func(t *testing.T) {
		p := userPages(3, 4)
		for range users.stream(t.Context(), "scan", p.fetch, 0) {
			break
		}
		if p.calls != 1 {
			t.Errorf("%d requests, want 1", p.calls)
		}
	})
	t.Run("other entities are skipped", func(t *testing.T) {
		emps := newTable[emp](t)
		p := &pages{items: [][]map[string]types.AttributeValue{{
			{"entity": s("Employee"), "id": s("e1")},
			{"entity": s("Department"), "id": s("d1")},
			{"id": s("x")},
		}}}
		got, err := collect(emps.stream(t.Context(), "query", p.fetch, 0))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]emp{{ID: "e1"}}, got); diff != "" {
			t.Errorf("items (-want +got):\n%s", diff)
		}
	})
}

func TestPage(t *testing.T) {
	users := newTable[user](t)
	p := userPages(2, 3)
	// This fake's positions are page numbers, not keys.
	spec := cursorSpec{scope: "x", names: []*mapping.Attribute{{Name: "page", Type: model.Number}}}
	var ids []string
	cur := ""
	for range 5 {
		pg, err := users.page(t.Context(), "scan", p.fetch, cur, spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range pg.Items {
			ids = append(ids, u.ID)
		}
		if cur = pg.Next; cur == "" {
			break
		}
	}
	if want := []string{"u0-0", "u0-1", "u1-0", "u1-1", "u2-0", "u2-1"}; !cmp.Equal(want, ids) {
		t.Errorf("paged ids = %v, want %v", ids, want)
	}
	if _, err := users.page(t.Context(), "scan", p.fetch, "garbage", spec); !errors.Is(err, ErrBadCursor) {
		t.Errorf("page(garbage) error = %v, want ErrBadCursor", err)
	}
}

func TestCountPages(t *testing.T) {
	// 10 pages of 7 matches each.
	send := func(calls *int, limits *[]int32) countFunc {
		return func(_ context.Context, start map[string]types.AttributeValue, limit *int32) (int, map[string]types.AttributeValue, error) {
			*calls++
			*limits = append(*limits, aws.ToInt32(limit))
			got := 7
			if limit != nil {
				got = min(got, int(*limit))
			}
			if *calls == 10 {
				return got, nil, nil
			}
			return got, avs{"p": n("1")}, nil
		}
	}
	for _, tt := range []struct {
		name       string
		max        int
		pageLimit  *int32
		want       int
		wantCalls  int
		wantLimits []int32
	}{
		{"all", 0, nil, 70, 10, []int32{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"at most 10", 10, nil, 10, 2, []int32{10, 3}},
		{"at most 10, pages of 4", 10, aws.Int32(4), 10, 3, []int32{4, 4, 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var calls int
			var limits []int32
			got, err := countPages(t.Context(), tt.max, tt.pageLimit, send(&calls, &limits))
			if err != nil || got != tt.want || calls != tt.wantCalls {
				t.Errorf("countPages = %d, %v after %d calls; want %d after %d", got, err, calls, tt.want, tt.wantCalls)
			}
			if diff := cmp.Diff(tt.wantLimits, limits); diff != "" {
				t.Errorf("request limits (-want +got):\n%s", diff)
			}
		})
	}
}
