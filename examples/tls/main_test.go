package main

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemo runs the example's -demo mode on a free port: it fails unless every echo or line
// came back as sent.
func TestDemo(t *testing.T) {
	if err := run("127.0.0.1:0", true, "", "", ""); err != nil {
		t.Fatal(err)
	}
}
