package dynamokit

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// lossServer loses the answer of the first request (the connection closes
// before any answer), and answers every later one with a 400 whose body
// is then.
type lossServer struct {
	then string
	mu   sync.Mutex
	n    int
}

func (s *lossServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.ReadAll(r.Body)
	s.mu.Lock()
	s.n++
	n := s.n
	s.mu.Unlock()
	if n == 1 {
		reset(w) // the connection closes before any answer
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusBadRequest)
	io.WriteString(w, s.then)
}

// lostTx sends a transaction of one update of table t to a lossServer
// answering then after the first request, and returns the
// *UnknownOutcomeError of the lost first answer.
func lostTx(t *testing.T, then string) *UnknownOutcomeError {
	t.Helper()
	ts := httptest.NewServer(&lossServer{then: then})
	t.Cleanup(ts.Close)
	api := dynamodb.New(dynamodb.Options{
		BaseEndpoint:     aws.String(ts.URL),
		Region:           "us-east-1",
		RetryMaxAttempts: 1,
		Credentials:      credentials.NewStaticCredentialsProvider("k", "s", ""),
	})
	c := NewFromClient(api, WithRetry(RetryPolicy{MaxAttempts: 2, Backoff: func(int) time.Duration { return 0 }}))
	_, err := c.Executor().TransactWriteItems(t.Context(), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: aws.String("t"), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a"}}, UpdateExpression: aws.String("ADD n :one")}},
	}})
	var u *UnknownOutcomeError
	if !errors.As(err, &u) {
		t.Fatalf("TransactWriteItems = %v, want an UnknownOutcomeError", err)
	}
	return u
}

// TestResendInProgressStaysUnknown: Resend promises nil, a *TxError,
// or ErrUnknownOutcome again. When DynamoDB answers the resent request
// with TransactionInProgressException, the first attempt is still being
// applied under the same token, so the outcome is still unknown: the error
// must match ErrUnknownOutcome, not read as a plain failure the caller
// takes for "not applied".
func TestResendInProgressStaysUnknown(t *testing.T) {
	u := lostTx(t, `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionInProgressException","message":"injected"}`)
	err := u.Resend(t.Context())
	var te *TxError
	if err != nil && !errors.Is(err, ErrUnknownOutcome) && !errors.As(err, &te) {
		t.Errorf("Resend answered TransactionInProgressException: %v; want an error matching ErrUnknownOutcome (the first attempt may still apply)", err)
	}
}

// TestResendCancelledNamesTable: a resent transaction that DynamoDB
// cancels is an *Error naming the transaction's table, as WriteTx's is,
// with the *TxError and its reasons beneath it.
func TestResendCancelledNamesTable(t *testing.T) {
	u := lostTx(t, `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","message":"injected",`+
		`"CancellationReasons":[{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]}`)
	err := u.Resend(t.Context())
	var (
		e  *Error
		te *TxError
	)
	if !errors.As(err, &e) || e.Table != "t" || e.Op != "TransactWriteItems" {
		t.Errorf("Resend = %v, want an *Error of TransactWriteItems on t", err)
	}
	if !errors.As(err, &te) || len(te.Reasons) != 1 || !errors.Is(err, ErrConditionFailed) {
		t.Errorf("Resend = %v, want a *TxError with one reason, matching ErrConditionFailed", err)
	} else if te.Reasons[0].Action != "update t" || !strings.Contains(err.Error(), "action 0 (update t)") {
		t.Errorf("Resend's reason describes its action as %q (message %q), want %q", te.Reasons[0].Action, err, "update t")
	}
	if err != nil && !strings.Contains(err.Error(), "TransactWriteItems t") {
		t.Errorf("message %q, want it to name the table", err)
	}
}
