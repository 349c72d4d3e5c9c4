package main

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemo runs the example's -demo mode on a free port: it fails unless every echo or line
// came back as sent.
func TestDemo(t *testing.T) {
	if err := run("127.0.0.1:0", true); err != nil {
		t.Fatal(err)
	}
}

// TestEchoStreamsWithBackpressure sends 32 MiB (more than loopback's socket buffers hold) that the peer reads only once the echo has held
// it back (it pauses its socket above the high-water mark, counting writes out with a token
// every 64 KiB): what comes back must be exactly what was sent.
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
	const total = 32 << 20
	sent := make([]byte, total)
	for i := range sent {
		sent[i] = byte(i*7 + i/251)
	}
	held := make(chan bool, 1)
	go func() {
		off, stalled := 0, false
		for off < total {
			if !stalled {
				_ = c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
			}
			n, err := c.Write(sent[off:])
			off += n
			if err != nil && !stalled {
				stalled = true
				held <- true
				_ = c.SetWriteDeadline(time.Time{})
			}
		}
		if !stalled {
			held <- false
		}
		_ = c.(*net.TCPConn).CloseWrite()
	}()
	if !<-held {
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
