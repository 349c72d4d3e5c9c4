package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" { // a node of the demo
		if err := runNode(role, "127.0.0.1:0", os.Getenv(peerEnv), "127.0.0.1:0"); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// TestDemo runs -demo with 8 MiB (64 MiB under -race takes long on two cores): it fails
// unless the echo came back intact and B's owner was told of A's death.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := runDemo(8<<20, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "ERR_NODE_LOST") {
		t.Fatalf("demo output does not tell of the node's loss:\n%s", out.String())
	}
	t.Log(out.String())
}
