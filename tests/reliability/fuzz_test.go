package reliability

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// The commands a fuzz input drives, one per byte: on the actornet socket (write, end, pause,
// resume, destroy, setTimeout) or on its plain Go peer (write, end, reset).
const (
	opWrite = iota
	opEnd
	opPause
	opResume
	opDestroy
	opSetTimeout
	opPeerWrite
	opPeerEnd
	opPeerReset
	opCount
)

// FuzzSocketCommands sends random command sequences to a connected pair, an actornet socket
// and a plain Go peer, and checks the invariants after each run: 'close' exactly once and
// last, no 'data' after 'end', every byte either side got is a prefix of what the other sent,
// in order, and nothing leaks (the package's goleak check). An input whose first byte has its
// high bit set runs with ReuseReadBuffer. Its seed corpus runs with the
// normal tests; run it for longer with go test -fuzz FuzzSocketCommands ./tests/reliability.
func FuzzSocketCommands(f *testing.F) {
	for _, seed := range [][]byte{
		{opWrite, opWrite, opEnd, opPeerEnd},
		{opPeerWrite, opPause, opPeerWrite, opResume, opPeerEnd, opEnd},
		{opWrite, opDestroy, opWrite, opEnd},
		{opEnd, opWrite},
		{opPeerReset, opWrite, opWrite},
		{opSetTimeout, opPause, opPeerWrite, opPeerEnd, opResume},
		{opPeerEnd, opWrite, opPeerWrite, opEnd},
		{opPause, opPeerWrite, opPeerWrite, opPeerReset, opResume},
		{opWrite, opPeerWrite, opDestroy, opDestroy, opPeerEnd},
		{0x80 | opPeerWrite, opPause, opPeerWrite, opResume, opPeerWrite, opPeerEnd, opEnd},
		{0x80 | opPause, opPeerWrite, opPeerWrite, opPeerReset, opResume},
		{},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 64 {
			ops = ops[:64]
		}
		runCommands(t, ops)
	})
}

func runCommands(t *testing.T, ops []byte) {
	rt := netapi.New(netapi.WithLogger(testkit.Logger(t)))
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := rt.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	var mu sync.Mutex
	var log []string
	var clientGot []byte
	record := func(e string) { mu.Lock(); log = append(log, e); mu.Unlock() }
	closed := make(chan struct{})
	reuse := len(ops) > 0 && ops[0]&0x80 != 0
	c := rt.NewSocket(netapi.SocketOptions{AllowHalfOpen: true, ReuseReadBuffer: reuse})
	c.OnData(func(b []byte) { mu.Lock(); log = append(log, "data"); clientGot = append(clientGot, b...); mu.Unlock() })
	c.OnEnd(func() { record("end") })
	c.OnError(func(error) { record("error") })
	c.OnClose(func(bool) { record("close"); close(closed) })
	c.ConnectPort(ln.Addr().(*net.TCPAddr).Port, "127.0.0.1", nil)
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	peer := conn.(*net.TCPConn)
	defer peer.Close()
	peerGot := make(chan []byte, 1)
	go func() {
		b, _ := readAllNoErr(peer)
		peerGot <- b
	}()

	var sent, peerSent []byte
	n := 0
	for _, op := range ops {
		n++
		chunk := bytes.Repeat([]byte{byte('a' + n%26)}, 1+int(op)*37%2000)
		switch int(op) % opCount {
		case opWrite:
			c.Write(chunk, nil)
			sent = append(sent, chunk...)
		case opEnd:
			c.End(nil, nil)
		case opPause:
			c.Pause()
		case opResume:
			c.Resume()
		case opDestroy:
			c.Destroy()
		case opSetTimeout:
			c.SetTimeout(time.Millisecond, nil)
		case opPeerWrite:
			if _, err := peer.Write(chunk); err == nil {
				peerSent = append(peerSent, chunk...)
			}
		case opPeerEnd:
			_ = peer.CloseWrite()
		case opPeerReset:
			_ = peer.SetLinger(0)
			_ = peer.Close()
		}
	}
	c.Resume() // so that a paused socket can see its peer go
	c.Destroy()
	select {
	case <-closed:
	case <-time.After(wait):
		t.Fatalf("no close; events: %q", snapshot(&mu, log))
	}
	_ = peer.Close()
	got := <-peerGot

	events := snapshot(&mu, log)
	closes, ended := 0, false
	for i, e := range events {
		switch e {
		case "close":
			closes++
			if i != len(events)-1 {
				t.Errorf("'close' is not last: %q", events)
			}
		case "end":
			ended = true
		case "data":
			if ended {
				t.Errorf("'data' after 'end': %q", events)
			}
		}
	}
	if closes != 1 {
		t.Errorf("%d 'close' events: %q", closes, events)
	}
	if !bytes.HasPrefix(sent, got) {
		t.Errorf("the peer got %d bytes that are not a prefix of the %d sent", len(got), len(sent))
	}
	mu.Lock()
	defer mu.Unlock()
	if !bytes.HasPrefix(peerSent, clientGot) {
		t.Errorf("the socket got %d bytes that are not a prefix of the %d the peer sent", len(clientGot), len(peerSent))
	}
}

// readAllNoErr reads until EOF or an error (a reset is an end here) and returns what came.
func readAllNoErr(c net.Conn) ([]byte, error) {
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return out, err
		}
	}
}

func snapshot(mu *sync.Mutex, log []string) []string {
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), log...)
}
