package remote_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net"
	"strconv"
	"testing"
	"time"
)

// pair starts a sockets node and an owners node driving it in mode, and returns both and the
// port of the server the owners node listens with on the sockets node.
func pair(t *testing.T, mode string) (sockets, owners *child, port string) {
	t.Helper()
	sockets = startNode(t, "sockets")
	owners = startNode(t, "owners", "ACTORNET_REMOTE_PEER="+sockets.addr, "ACTORNET_REMOTE_MODE="+mode)
	port = owners.expect("listening ", wait)
	return sockets, owners, port
}

func dial(t *testing.T, port string) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", port), wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// echoCheck sends n random bytes through the echo at port and checks what comes back.
func echoCheck(t *testing.T, port string, n int) {
	t.Helper()
	c := dial(t, port)
	data := make([]byte, n)
	_, _ = rand.Read(data)
	want := sha256.Sum256(data)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		if err == nil {
			err = c.CloseWrite()
		}
		errc <- err
	}()
	_ = c.SetReadDeadline(time.Now().Add(wait))
	h := sha256.New()
	got, err := io.Copy(h, c)
	if err != nil {
		t.Fatalf("reading the echo: %v after %d bytes", err, got)
	}
	if err := <-errc; err != nil {
		t.Fatalf("writing: %v", err)
	}
	if got != int64(n) || !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatalf("got %d bytes back with sha256 %x, want %d with %x", got, h.Sum(nil), n, want)
	}
}

func TestEchoIntegrity(t *testing.T) {
	_, _, port := pair(t, "echo")
	for _, n := range []int{1, 100 << 10, 8 << 20} {
		t.Run(strconv.Itoa(n), func(t *testing.T) { echoCheck(t, port, n) })
	}
}

// within is the bound on noticing a node that was killed.
const within = time.Second

// pinged is a connection through the sockets node to an echo driven by the owners node,
// checked with one round trip: a socket the owners node's server accepted ("accepted"), or a
// socket it connected to a listener of the test ("client").
func pinged(t *testing.T, kind string) (sockets, owners *child, c net.Conn) {
	t.Helper()
	switch kind {
	case "accepted":
		var port string
		sockets, owners, port = pair(t, "echo")
		c = dial(t, port)
	case "client":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		sockets = startNode(t, "sockets")
		owners = startNode(t, "owners", "ACTORNET_REMOTE_PEER="+sockets.addr,
			"ACTORNET_REMOTE_MODE=echo", "ACTORNET_REMOTE_CONNECT="+ln.Addr().String())
		_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(wait))
		if c, err = ln.Accept(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		owners.expect("event connect", wait)
	}
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	_ = c.SetReadDeadline(time.Now().Add(wait))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo: got %q, %v; want \"ping\"", buf, err)
	}
	return sockets, owners, c
}

// TestSocketsNodeKilled: SIGKILL of the node that has the sockets gives their remote owner
// an error with code ERR_NODE_LOST and a close (a server's owner a server error), each
// within a second.
func TestSocketsNodeKilled(t *testing.T) {
	for _, tc := range []struct {
		kind string
		want []string
	}{
		{"accepted", []string{"event error ERR_NODE_LOST", "event close true", "event server-error ERR_NODE_LOST"}},
		{"client", []string{"event error ERR_NODE_LOST", "event close true"}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			sockets, owners, _ := pinged(t, tc.kind)
			killed := sockets.kill()
			owners.expectAll(tc.want, wait)
			t.Logf("told %v after the kill", time.Since(killed))
			if d := time.Since(killed); d > within {
				t.Errorf("%q came %v after the kill, want within %v", tc.want, d, within)
			}
		})
	}
}

// TestOwnersNodeKilled: SIGKILL of the node that owns the sockets destroys them on their
// node within a second: the TCP peer sees its connection closed.
func TestOwnersNodeKilled(t *testing.T) {
	for _, kind := range []string{"accepted", "client"} {
		t.Run(kind, func(t *testing.T) {
			_, owners, c := pinged(t, kind)
			killed := owners.kill()
			buf := make([]byte, 4)
			_ = c.SetReadDeadline(time.Now().Add(wait))
			n, err := c.Read(buf)
			if n != 0 || err == nil || isTimeout(err) {
				t.Fatalf("read after the owners' node was killed: %d bytes, %v; want the connection closed", n, err)
			}
			t.Logf("closed %v after the kill", time.Since(killed))
			if d := time.Since(killed); d > within {
				t.Errorf("the socket closed %v after the kill, want within %v", d, within)
			}
		})
	}
}

// TestFrozenNode: a node that froze (SIGSTOP) is noticed through keepalive within
// 2*KeepAlive+KeepAliveTimeout: its sockets' owners get ERR_NODE_LOST and a close, the
// sockets it owned are destroyed.
func TestFrozenNode(t *testing.T) {
	bound := 2*keepAlive + keepAliveTimeout + 500*time.Millisecond // and the test's own latency
	t.Run("sockets", func(t *testing.T) {
		sockets, owners, _ := pinged(t, "accepted")
		frozen := sockets.freeze()
		owners.expectAll([]string{"event error ERR_NODE_LOST", "event close true"}, wait)
		t.Logf("told %v after the freeze", time.Since(frozen))
		if d := time.Since(frozen); d > bound {
			t.Errorf("the owner was told %v after the freeze, want within %v", d, bound)
		}
	})
	t.Run("owners", func(t *testing.T) {
		_, owners, c := pinged(t, "accepted")
		frozen := owners.freeze()
		buf := make([]byte, 4)
		_ = c.SetReadDeadline(time.Now().Add(wait))
		n, err := c.Read(buf)
		if n != 0 || err == nil || isTimeout(err) {
			t.Fatalf("read after the owners' node froze: %d bytes, %v; want the connection closed", n, err)
		}
		t.Logf("closed %v after the freeze", time.Since(frozen))
		if d := time.Since(frozen); d > bound {
			t.Errorf("the socket closed %v after the freeze, want within %v", d, bound)
		}
	})
}

// TestUnreachableNode: a socket asked of a node that cannot be reached closes with
// ERR_NODE_LOST after protoactor's one connection attempt; a Write sent meanwhile is
// settled with it.
func TestUnreachableNode(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nowhere := ln.Addr().String()
	ln.Close() // nothing listens there now
	start := time.Now()
	owners := startNode(t, "owners", "ACTORNET_REMOTE_PEER="+nowhere, "ACTORNET_REMOTE_MODE=echo",
		"ACTORNET_REMOTE_CONNECT=127.0.0.1:1", "ACTORNET_REMOTE_WRITE=1")
	owners.expectAll([]string{"event written hello ERR_NODE_LOST", "event error ERR_NODE_LOST",
		"event close true", "event server-error ERR_NODE_LOST"}, wait)
	t.Logf("told %v after the start", time.Since(start))
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestUnknownMessage: a message of a protobuf type the sockets node does not link is dropped
// with a log line, and the node goes on serving.
func TestUnknownMessage(t *testing.T) {
	sockets := startNode(t, "sockets")
	rogue := startNode(t, "owners", "ACTORNET_REMOTE_PEER="+sockets.addr, "ACTORNET_REMOTE_MODE=echo")
	port := rogue.expect("listening ", wait)
	rogue.send("send-unknown")
	rogue.expect("sent-unknown", wait)
	// The unknown message went first on the connection: what follows it was handled.
	echoCheck(t, port, 64<<10)
	rogue.send("send-unknown")
	rogue.expect("sent-unknown", wait)
	echoCheck(t, port, 64<<10)
}

// TestSlowOwnerBoundedMemory: an owner that consumes slower than its peer sends (the peer
// writes as fast as loopback takes it, many times the owner's rate) holds the peer back
// through TCP, with bounded memory on both nodes.
func TestSlowOwnerBoundedMemory(t *testing.T) {
	const (
		total = 48 << 20 // what the peer sends: 1.5 s at the owner's rate
		// Live heap on either node: a baseline of 3 MiB, and a few batches of BatchSize
		// messages being encoded or decoded; it does not grow with total.
		bound = 16 << 20
	)
	sockets, owners, port := pair(t, "slow")
	c := dial(t, port)
	data := make([]byte, total)
	_ = c.SetWriteDeadline(time.Now().Add(wait))
	start := time.Now()
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	got := owners.expect("event end ", wait)
	elapsed := time.Since(start)
	if got != strconv.Itoa(total) {
		t.Fatalf("owner read %s bytes, want %d", got, total)
	}
	// The peer could only send as fast as the owner consumed: held back, not buffered.
	if min := time.Duration(total) * time.Second / slowRate / 2; elapsed < min {
		t.Errorf("the peer sent %d bytes in %v, faster than the owner consumes (want >= %v)", total, elapsed, min)
	}
	for _, n := range []*child{sockets, owners} {
		n.send("heap")
		h, _ := strconv.Atoi(n.expect("heap ", wait))
		t.Logf("max live heap: %.1f MiB", float64(h)/(1<<20))
		if h > bound {
			t.Errorf("a node's live heap reached %.1f MiB, want at most %.1f MiB", float64(h)/(1<<20), float64(bound)/(1<<20))
		}
	}
}
