package netapi_test

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/supervisor"
)

// A Client's Write that returned false while up owes a 'drain' (the pause-on-full,
// resume-on-drain idiom waits for it). When the connection is lost before its queue drained,
// the client comes back with nothing queued: it is writable again, and 'drain' must come,
// or a writer that waits for it waits forever.
func TestClientDrainOwedAcrossReconnect(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	c := rt.NewClient(netapi.ClientOptions{ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1",
		HighWaterMark: 1024}, Retry: supervisor.Budget{MaxRestarts: 100, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}})
	var drains atomic.Int32
	c.OnDrain(func() { drains.Add(1) })
	ups := make(chan int, 4)
	var n atomic.Int32
	full := make(chan bool, 1)
	c.OnUp(func() {
		if n.Add(1) == 1 { // the peer does not read: most of 8 MiB waits
			full <- c.Write(make([]byte, 8<<20), nil)
		}
		ups <- int(n.Load())
	})
	closed := make(chan struct{})
	c.OnClose(func() { close(closed) })

	peer := acceptRaw(t, ln)
	assert.False(t, recv(t, full), "Write returned false: a 'drain' is owed")
	recv(t, ups)
	require.NoError(t, peer.SetLinger(0))
	require.NoError(t, peer.Close()) // the server crashes before it read anything

	peer2 := acceptRaw(t, ln)
	defer peer2.Close()
	assert.Equal(t, 2, recv(t, ups))
	written := make(chan error, 1)
	assert.True(t, c.Write([]byte("x"), func(err error) { written <- err }), "writable again")
	require.NoError(t, recv(t, written))
	assert.Positive(t, drains.Load(), "no 'drain' after the Write that returned false, though the client is writable again")
	c.Close()
	_ = peer2.Close()
	recv(t, closed)
}

// Writes made while down go out first, in order, on the next connection; a Write made from
// another goroutine as the connection comes up must not overtake them (connected sets up
// before it hands the waiting writes to the socket).
func TestClientWritesKeepOrderAsTheConnectionComesUp(t *testing.T) {
	for round := range 20 {
		rt := newRuntime(t)
		ln, port := rawListener(t)
		c := rt.NewClient(netapi.ClientOptions{ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1",
			HighWaterMark: 64 << 20}})
		stop := make(chan struct{})
		sent := make(chan uint32, 1)
		go func() { // one goroutine writes a numbered stream, through down and up
			var i uint32
			upSeen := 0
			for {
				select {
				case <-stop:
					sent <- i
					return
				default:
				}
				b := []byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)}
				c.Write(b, nil)
				i++
				if c.Socket() != nil {
					if upSeen++; upSeen == 2000 {
						close(stop)
					}
				}
			}
		}()
		peer := acceptRaw(t, ln)
		total := recv(t, sent)
		c.Close()
		got := readAllRaw(t, peer)
		require.Len(t, got, int(total)*4)
		for i := 0; i < len(got); i += 4 {
			v := uint32(got[i])<<24 | uint32(got[i+1])<<16 | uint32(got[i+2])<<8 | uint32(got[i+3])
			if v != uint32(i/4) {
				t.Fatalf("round %d: write %d arrived at position %d (of %d)", round, v, i/4, total)
			}
		}
		_ = peer.Close()
	}
}

func readAllRaw(t *testing.T, c net.Conn) []byte {
	t.Helper()
	b, err := io.ReadAll(c)
	require.NoError(t, err)
	return b
}

// A Client stops for good when its runtime shuts down: its 'close' listeners run before
// Shutdown returns, as every socket's do, instead of a 'down' that promises a retry that
// never comes.
func TestClientClosesAtShutdown(t *testing.T) {
	rt := netapi.New(netapi.WithLogger(testkitLogger(t)))
	ln, port := rawListener(t)
	c := rt.NewClient(netapi.ClientOptions{ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1"}})
	up := make(chan struct{}, 1)
	c.OnUp(func() { up <- struct{}{} })
	closed := make(chan struct{})
	c.OnClose(func() { close(closed) })
	var mu sync.Mutex
	var downs []time.Duration
	c.OnDown(func(_ error, retryIn time.Duration) { mu.Lock(); downs = append(downs, retryIn); mu.Unlock() })
	peer := acceptRaw(t, ln)
	recv(t, up)
	go func() { _, _ = io.Copy(io.Discard, peer); _ = peer.Close() }() // the server closes once we end
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, rt.Shutdown(ctx))
	select {
	case <-closed:
	default:
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("Shutdown returned and the client's 'close' never ran ('down' said it retries in %v)", downs)
	}
}

var testkitLogger = testkit.Logger

// An 'up' listener added while the connection is up is called for it, and a 'close' listener
// added after the client stopped is called at once: listeners added a moment after NewClient
// (outside a loop) miss nothing.
func TestClientLateListeners(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	c := rt.NewClient(netapi.ClientOptions{ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1"}})
	peer := acceptRaw(t, ln)
	got := make(chan string, 1)
	c.OnData(func(b []byte) { got <- string(b) })
	_, err := peer.Write([]byte("up"))
	require.NoError(t, err)
	assert.Equal(t, "up", recv(t, got)) // connected, and known to be
	ups := make(chan struct{}, 2)
	c.OnUp(func() { ups <- struct{}{} })
	recv(t, ups)
	closed := make(chan struct{})
	c.OnClose(func() { close(closed) })
	c.Close() // ends the connection: 'close' comes once the peer ended too
	_ = peer.Close()
	recv(t, closed)
	again := make(chan struct{})
	c.OnClose(func() { close(again) })
	recv(t, again)
	assert.Empty(t, ups, "'up' once")
}

// A 'down' listener added while the client waits to retry is called with that 'down' (the
// time left till the retry), once; one added while it is up is not.
func TestClientLateOnDown(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	require.NoError(t, ln.Close()) // every attempt is refused
	c := rt.NewClient(netapi.ClientOptions{ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1"},
		Retry: supervisor.Budget{MaxRestarts: 100, Window: time.Hour, MinBackoff: time.Hour, MaxBackoff: time.Hour}})
	early := make(chan time.Duration, 4)
	c.OnDown(func(_ error, retryIn time.Duration) { early <- retryIn })
	first := recv(t, early) // it may be down before this line: then the late rule called it
	require.Positive(t, first)

	type down struct {
		err     error
		retryIn time.Duration
	}
	late := make(chan down, 4)
	c.OnDown(func(err error, retryIn time.Duration) { late <- down{err, retryIn} })
	d := recv(t, late)
	assert.Equal(t, "ECONNREFUSED", netapi.Code(d.err))
	assert.Positive(t, d.retryIn)
	assert.LessOrEqual(t, d.retryIn, first, "the time left")
	c.Close()
	assert.Empty(t, late, "called once")
	assert.Empty(t, early, "the first listener is not called again")
}
