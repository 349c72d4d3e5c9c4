package main

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/actornet/actornet/internal/testkit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemo runs the example's -demo mode on a free port: it fails unless every echo or line
// came back as sent.
func TestDemo(t *testing.T) {
	if err := run("127.0.0.1:0", true); err != nil {
		t.Fatal(err)
	}
}

// TestEchoStreamsWithBackpressure sends 32 MiB (more than loopback's socket buffers hold),
// which the peer reads only once the echo has held it back (it pauses its socket on
// FullEvent until DrainEvent): what comes back must be exactly what was sent.
func TestEchoStreamsWithBackpressure(t *testing.T) {
	e, err := start("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer e.stop()
	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(e.addr.Port)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sent := testkit.Pattern(32 << 20)
	if !<-testkit.SendHeldBack(c.(*net.TCPConn), sent) {
		t.Fatal("the peer was never held back: the echo did not pause")
	}
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, sent) {
		t.Fatalf("got %d bytes back, want %d, or different ones", len(got), len(sent))
	}
}
