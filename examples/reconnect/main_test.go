package main

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(serveEnv); addr != "" { // a child: the server the demo kills
		if err := runServer(addr); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// TestDemo runs the example's -demo mode with two kill -9s of its server: it fails unless the
// client came back after each and every request was accounted for.
func TestDemo(t *testing.T) {
	if err := runDemo("127.0.0.1:0", 2); err != nil {
		t.Fatal(err)
	}
}
