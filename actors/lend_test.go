package actors_test

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/messages"
)

func TestLendReadsWaitsForTheBuffer(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{LendReads: true}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)

	_, _ = peer.Write([]byte("first"))
	first := expect[*messages.DataEvent](p)
	assert.Equal(t, "first", string(first.Data))
	require.NotNil(t, first.Lease)
	_, _ = peer.Write([]byte("second"))
	first.Lease.Retain() // two holders now
	first.Lease.Release()
	p.quiet(100 * time.Millisecond) // the first buffer is still lent: nothing more is read
	assert.Equal(t, int64(5), inspectSocket(t, e, c).BytesRead)

	first.Lease.Release() // the last holder
	second := expect[*messages.DataEvent](p)
	assert.Equal(t, "second", string(second.Data))
	second.Lease.Release()
	assert.Panics(t, second.Lease.Release, "a release too many is a bug, and says so")
	_ = peer.CloseWrite()
	expect[*messages.EndEvent](p)
}

// An owner actor that echoes lent data, handing the lease on with each Write: the buffer is
// read into again only once its echo reached the kernel, so the echo comes back intact
// although the peer reads slowly and the echo backs up in the socket.
func TestLendReadsEchoOfQueuedWritesIsIntact(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{LendReads: true, AllowHalfOpen: true}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)

	sent := testkit.Pattern(8 << 20)
	echoed := make(chan []byte, 1)
	go func() { // the owner: echo, then give the buffer back
		for {
			switch ev := p.next().(type) {
			case *messages.DataEvent:
				e.send(c, &messages.Write{Data: ev.Data, Lease: ev.Lease})
			case *messages.EndEvent:
				e.send(c, &messages.End{})
				return
			}
		}
	}()
	go func() {
		_, _ = peer.Write(sent)
		_ = peer.CloseWrite()
	}()
	go func() { // reads in small pieces: the echo backs up in the socket
		var b []byte
		buf := make([]byte, 512)
		for {
			n, err := peer.Read(buf)
			b = append(b, buf[:n]...)
			if err != nil {
				echoed <- b
				return
			}
		}
	}()
	got := recvT(t, echoed, 30*time.Second)
	require.Len(t, got, len(sent))
	if !bytes.Equal(sent, got) {
		t.Fatalf("echo corrupted: sha256 %x, want %x", sha256.Sum256(got), sha256.Sum256(sent))
	}
}

func recvT[T any](t *testing.T, ch <-chan T, d time.Duration) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatal("timed out")
		var zero T
		return zero
	}
}

// An owner that pauses and resumes its socket at every DataEvent, while the peer streams: not
// a byte may be lost, repeated or reordered (a Resume must not let the reader run ahead of a
// read the socket has not handled yet).
func TestPauseResumeStormKeepsTheStream(t *testing.T) {
	for _, lend := range []bool{false, true} {
		e := newEnv(t)
		ln, port := rawListener(t)
		p := e.probe()
		c := e.client(p, actors.SocketConfig{LendReads: lend, ReadBufferSize: 4 << 10}, port)
		peer := acceptOne(t, ln)
		expect[*messages.ConnectEvent](p)
		sent := testkit.Pattern(4 << 20)
		go func() {
			_, _ = peer.Write(sent)
			_ = peer.CloseWrite()
		}()
		var got []byte
		for {
			ev := p.next()
			if d, ok := ev.(*messages.DataEvent); ok {
				got = append(got, d.Data...)
				e.send(c, &messages.Pause{})
				e.send(c, &messages.Resume{})
				d.Lease.Release() // nil without LendReads: does nothing
				continue
			}
			require.IsType(t, &messages.EndEvent{}, ev)
			break
		}
		require.Len(t, got, len(sent), "lend=%v", lend)
		require.True(t, bytes.Equal(sent, got), "lend=%v: the stream came back changed", lend)
	}
}
