package reliability

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// A client whose close listener connects it again, 5 times in all, to a live server: Wait
// does not return before the last connection closed (Node's loop stays alive while a socket
// connects), each connection's End callback and close listener run exactly once. The
// reconnect is made in the close listener itself, or from a timer (Runtime.AfterFunc) the
// close listener starts.
//
// Failed before the redesign (round two): Wait returns after the first close, while the second connection is open:
// Connect from a close listener finds refd still set (the old connection's), so it takes no
// ref, and onClose then drops that ref (unrefLocked after the listeners); onClose also closes
// the new connection's closedSig and untracks the socket (netapi/socket_events.go onClose).
// With AfterFunc the timer's ref keeps Wait up until the timer ran, then the same happens.
func TestAttackReconnectFromCloseListener(t *testing.T) {
	for _, how := range []string{"direct", "afterfunc"} {
		t.Run(how, func(t *testing.T) {
			eachRuntime(t, func(t *testing.T, opts []netapi.Option) {
				reconnectChain(t, opts, how == "afterfunc")
			})
		})
	}
}

func reconnectChain(t *testing.T, opts []netapi.Option, viaTimer bool) {
	const rounds = 5
	srvRT := attackRuntime(t, opts)
	_, port := echoServer(t, srvRT, netapi.ServerOptions{})
	rt := attackRuntime(t, opts)
	calls := newTally()

	var closes atomic.Int64
	c := rt.NewSocket(netapi.SocketOptions{})
	c.OnData(func([]byte) {})
	c.OnError(func(error) {})
	onConnect := func(k int) func() {
		return func() { c.End([]byte(fmt.Sprintf("hello %d", k)), endFn(calls.fn(fmt.Sprintf("end %d", k)))) }
	}
	c.OnClose(func(bool) {
		k := int(closes.Add(1))
		calls.hit(fmt.Sprintf("close %d", k), nil)
		if k >= rounds {
			return
		}
		calls.expect(fmt.Sprintf("close %d", k+1))
		if viaTimer {
			rt.AfterFunc(time.Millisecond, func() { c.ConnectPort(port, "127.0.0.1", onConnect(k+1)) })
		} else {
			c.ConnectPort(port, "127.0.0.1", onConnect(k+1))
		}
	})
	calls.expect("close 1")
	c.ConnectPort(port, "127.0.0.1", onConnect(1))
	waited := waitAsync(rt, wait, func() string { return fmt.Sprintf("closes=%d", closes.Load()) })

	res, ok := within(waited, wait+time.Second)
	require.True(t, ok, "Wait hung")
	assert.NoError(t, res.err, "Wait")
	assert.Equal(t, fmt.Sprintf("closes=%d", rounds), res.probe, "when Wait returned")
	// Had Wait returned early, let the chain finish before counting.
	calls.waitFor(wait, func() bool { return closes.Load() >= rounds })
	calls.check(t, "callbacks")
	assert.Equal(t, int64(rounds), closes.Load(), "closes")
}

// Shutdown during a reconnect chain in which each connection writes 8 MiB and ends: the
// chain stops (Connect after Shutdown is refused) and every stream arrives whole at the peer
// (same sha256) or the peer sees an error or a reset, never a clean FIN after a truncated
// stream; Shutdown returns only after the close listener of every connection ran; each Write
// and End callback runs exactly once. "graceful" gives Shutdown all the time it needs;
// "deadline" holds the peer's reads until Shutdown's 300 ms ran out, so that Shutdown must
// destroy the stream it could not finish.
//
// Failed before the redesign (round two): (graceful, at 2 and later) Shutdown does not know the reconnected socket:
// onClose of the previous connection untracked it after its close listener reconnected
// (trackSocket(s, false) in onClose), so Shutdown returns while it streams, the tree stop
// then cuts it (the peer gets a clean FIN after a truncated stream), and its close listener
// runs after Shutdown returned or never (event loop closed). (deadline) Destroy closes the
// descriptor with data queued: the peer sees a clean FIN after a truncated stream instead of
// a reset; End's callback never runs on a destroyed socket. (all) Shutdown waits for its
// whole context when the close listener of a socket it destroyed calls Connect: Connect
// replaces closedSig, and the channel Runtime.waitClosed holds is never closed.
func TestAttackShutdownDuringReconnectChain(t *testing.T) {
	for _, tc := range []struct {
		name     string
		at       int // Shutdown once this connection (1, 2 ...) started writing
		deadline bool
	}{
		{"graceful at 1", 1, false},
		{"graceful at 3", 3, false},
		{"deadline at 1", 1, true},
		{"deadline at 2", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachRuntime(t, func(t *testing.T, opts []netapi.Option) {
				shutdownDuringChain(t, opts, tc.at, tc.deadline)
			})
		})
	}
}

func shutdownDuringChain(t *testing.T, opts []netapi.Option, at int, deadline bool) {
	const (
		rounds = 5
		size   = 8 << 20
	)
	payload := testkit.Pattern(size)
	want := sha256.Sum256(payload)

	ln, port := rawListener(t)
	release := make(chan struct{})      // the held peer reads once this is closed
	writing := make(chan int, rounds+1) // connection k issued its Write
	var acceptedN atomic.Int64
	results := make(chan streamResult, rounds+1)
	go func() {
		for i := 1; ; i++ {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			acceptedN.Add(1)
			go func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(2 * wait))
				if deadline && i == at {
					if _, ok := within(release, 2*wait); !ok {
						results <- streamResult{err: errors.New("never released")}
						return
					}
				}
				results <- readStream(conn, 64<<10)
			}()
		}
	}()

	rt := netapi.New(append([]netapi.Option{netapi.WithLogger(testkit.Logger(t))}, opts...)...)
	t.Cleanup(func() { _ = shutdownWithin(rt, wait) })
	calls := newTally()
	var closes atomic.Int64
	var lmu sync.Mutex
	lifetimes := 1
	c := rt.NewSocket(netapi.SocketOptions{})
	c.OnData(func([]byte) {})
	c.OnError(func(error) {})
	var onConnect func(k int) func()
	onConnect = func(k int) func() {
		return func() {
			writing <- k
			c.Write(payload, calls.errFn(fmt.Sprintf("write %d", k)))
			c.End(nil, endFn(calls.fn(fmt.Sprintf("end %d", k))))
		}
	}
	c.OnClose(func(bool) {
		k := int(closes.Add(1))
		if k >= rounds {
			return
		}
		before := c.PID()
		c.ConnectPort(port, "127.0.0.1", onConnect(k+1))
		if after := c.PID(); after != nil && !samePID(before, after) {
			lmu.Lock()
			lifetimes++
			lmu.Unlock()
		}
	})
	c.ConnectPort(port, "127.0.0.1", onConnect(1))

	for {
		k, ok := within(writing, wait)
		require.True(t, ok, "connection %d never wrote", at)
		if k == at {
			break
		}
	}
	d := wait
	if deadline {
		d = 300 * time.Millisecond
	}
	err := shutdownWithin(rt, d)
	lmu.Lock()
	n := lifetimes
	lmu.Unlock()
	closedAtReturn := closes.Load()
	close(release)
	if deadline {
		assert.ErrorIs(t, err, context.DeadlineExceeded, "Shutdown with a held peer")
	} else {
		assert.NoError(t, err, "Shutdown")
	}
	require.NotErrorIs(t, err, errHung)
	assert.Equal(t, int64(n), closedAtReturn, "close listeners run when Shutdown returned, for %d connections", n)
	assert.NoError(t, waitWithin(rt, settle), "Wait after Shutdown")

	// Every connection the peer accepted ends whole, or with an error; never a short clean end.
	_ = ln.Close()
	m := int(acceptedN.Load())
	for i := 1; i <= m; i++ {
		r, ok := within(results, wait)
		if !ok {
			t.Errorf("only %d of %d streams ended at the peer", i-1, m)
			break
		}
		// The peer accepts the chain's connections in order. A connection Shutdown destroyed
		// before it could write ends with nothing: that is no truncated stream.
		switch {
		case r.err != nil:
			t.Logf("a stream ended with %v after %d bytes", r.err, r.n)
		case r.n == 0 && !calls.has(fmt.Sprintf("write %d", i)):
		case r.n != size || r.sum != want:
			t.Errorf("a stream ended with a clean FIN after %d of %d bytes (sha256 equal: %v)", r.n, size, r.sum == want)
		}
	}
	calls.check(t, "callbacks")
	assert.Equal(t, int64(n), closes.Load(), "one close per connection")
	t.Logf("%d connections, %d accepted, write results %v", n, m, calls.codes("write"))
}
