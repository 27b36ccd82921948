package motoserver

import (
	"net/http"
	"testing"
	"time"
)

// TestBodylessRequestAnswered: serve.py reads "the whole request"
// before taking the lock, and for a request without Content-Length it
// reads the socket to its end. A request that has no body and so no
// Content-Length (a GET, such as moto's own /moto-api/ pages, or a
// health check; curl -X POST .../moto-api/reset) then waits for the
// 5 s socket timeout and is answered 400, never reaching moto.
func TestBodylessRequestAnswered(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a moto server")
	}
	srv := startOrSkip(t)
	defer srv.Close()
	client := &http.Client{Timeout: 2 * time.Second}
	start := time.Now()
	resp, err := client.Get(srv.Endpoint + "/moto-api/data.json")
	if err != nil {
		t.Fatalf("GET /moto-api/data.json: %v after %v, want an answer from moto", err, time.Since(start).Round(time.Millisecond))
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /moto-api/data.json = %s after %v, want 200 from moto", resp.Status, time.Since(start).Round(time.Millisecond))
	}
}
