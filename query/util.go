package query

import (
	"errors"
	"strconv"
)

var errNilItem = errors.New("query: nil item")

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
