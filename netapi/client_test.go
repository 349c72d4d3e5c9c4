package netapi_test

import (
	"bufio"
	"bytes"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/supervisor"
)

// crashingServer serves one connection at a time on port, answering each line with "ok
// <line>", and crashes (resets its connection and stops listening) after each few lines,
// rounds times, listening again after a pause.
func crashingServer(t *testing.T, rounds, linesPerLife int) (port int, done <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port = ln.Addr().(*net.TCPAddr).Port
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for life := 0; ; life++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r := bufio.NewReader(c)
			for range linesPerLife {
				line, err := r.ReadString('\n')
				if err != nil {
					break
				}
				_, _ = c.Write([]byte("ok " + line))
			}
			_ = c.(*net.TCPConn).SetLinger(0) // as a process killed: a reset
			_ = c.Close()
			_ = ln.Close()
			if life == rounds {
				return
			}
			time.Sleep(20 * time.Millisecond) // down for a while: attempts fail meanwhile
			if ln, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	return port, finished
}

// A Client keeps a request stream alive across 20 crashes of its server: it comes back each
// time within the backoff's bounds, every request is answered or failed (none lost without
// a word), and Close stops it for good.
func TestClientReconnects(t *testing.T) {
	const crashes, perLife = 20, 5
	port, serverDone := crashingServer(t, crashes, perLife)
	rt := newRuntime(t)
	retry := supervisor.Budget{MaxRestarts: 1000, Window: time.Minute, MinBackoff: 5 * time.Millisecond,
		MaxBackoff: 50 * time.Millisecond}
	c := rt.NewClient(netapi.ClientOptions{ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1"},
		Retry: retry, Jitter: 0.2})
	var mu sync.Mutex
	var ups, answered, settled, sent int
	var waits []time.Duration
	closed := make(chan struct{})
	send := func() {
		mu.Lock()
		sent++
		n := sent
		mu.Unlock()
		c.Write([]byte("req "+strconv.Itoa(n)+"\n"), func(error) {
			mu.Lock()
			settled++ // written, or failed with the connection: either way, told
			mu.Unlock()
		})
	}
	c.OnUp(func() {
		mu.Lock()
		ups++
		last := ups == crashes+1
		mu.Unlock()
		for range perLife {
			send()
		}
		if last {
			go func() { <-serverDone; c.Close() }()
		}
	})
	c.OnData(func(b []byte) {
		mu.Lock()
		answered += bytes.Count(b, []byte("\n"))
		mu.Unlock()
	})
	c.OnDown(func(err error, retryIn time.Duration) {
		mu.Lock()
		waits = append(waits, retryIn)
		mu.Unlock()
	})
	c.OnClose(func() { close(closed) })
	select {
	case <-closed:
	case <-time.After(testkit.Wait):
		mu.Lock()
		t.Fatalf("no close: %d ups, %d downs, %d sent, %d settled", ups, len(waits), sent, settled)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, crashes+1, ups, "up once, and again after each crash")
	assert.GreaterOrEqual(t, len(waits), crashes, "a 'down' for each crash, and each failed attempt")
	for _, w := range waits {
		if w < 0 {
			continue // the last, at Close
		}
		assert.GreaterOrEqual(t, w, time.Duration(float64(retry.MinBackoff)*0.8))
		assert.LessOrEqual(t, w, time.Duration(float64(retry.MaxBackoff)*1.2))
	}
	assert.Equal(t, (crashes+1)*perLife, sent)
	assert.Equal(t, sent, settled, "every write's callback ran")
	// A crash resets the connection: answers not read yet die with it.
	assert.Positive(t, answered)
	assert.LessOrEqual(t, answered, sent)
}

// While down, writes wait (bounded: Write says false at the high-water mark, 'drain' once
// they were handed over) and go out in order on the next connection; with FailWhileDown
// they fail at once with ErrNotConnected. Past its budget the client gives up.
func TestClientWritesWhileDown(t *testing.T) {
	rt := newRuntime(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close()) // nothing listens yet

	failing := rt.NewClient(netapi.ClientOptions{ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1"},
		FailWhileDown: true, Retry: supervisor.Budget{MaxRestarts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}})
	errs := make(chan error, 1)
	assert.False(t, failing.Write([]byte("x"), func(err error) { errs <- err }))
	assert.ErrorIs(t, recv(t, errs), netapi.ErrNotConnected)
	gaveUp := make(chan error, 10)
	failing.OnDown(func(err error, retryIn time.Duration) {
		if retryIn < 0 {
			gaveUp <- err
		}
	})
	failingClosed := make(chan struct{})
	failing.OnClose(func() { close(failingClosed) })
	assert.ErrorIs(t, recv(t, gaveUp), netapi.ErrClientGaveUp, "after its 2 retries")
	recv(t, failingClosed)

	waiting := rt.NewClient(netapi.ClientOptions{ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1",
		HighWaterMark: 8}, Retry: supervisor.Budget{MaxRestarts: 1000, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}})
	assert.True(t, waiting.Write([]byte("one "), nil))
	assert.False(t, waiting.Write([]byte("two "), nil), "8 bytes wait: the high-water mark")
	drained := make(chan struct{}, 1)
	waiting.OnDrain(func() { drained <- struct{}{} })
	ln, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	require.NoError(t, err)
	defer ln.Close()
	conn, err := ln.Accept()
	require.NoError(t, err)
	defer conn.Close()
	recv(t, drained)
	got := make([]byte, 8)
	_, err = conn.Read(got)
	require.NoError(t, err)
	assert.Equal(t, "one two ", string(got), "in order, on the connection that came")
	closedCh := make(chan struct{})
	waiting.OnClose(func() { close(closedCh) })
	waiting.Close() // ends the connection gracefully: 'close' once the server closed its side
	n, err := conn.Read(got)
	assert.Zero(t, n)
	assert.Error(t, err, "the client's FIN")
	require.NoError(t, conn.Close())
	recv(t, closedCh)
	assert.False(t, waiting.Write([]byte("late"), nil))
}
