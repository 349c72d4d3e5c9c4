package reliability

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/netapi"
)

// Every method of a connected socket, called from 8 goroutines at once while Destroy (and,
// in the second case, rt.Shutdown) races them: each Write callback and each End callback
// runs exactly once (Node calls end's callback with the error when the stream is destroyed
// first), each connection the socket made closes exactly once, Wait returns once everything
// is closed and not before, and nothing panics or hangs.
//
// Failed before the redesign (round two): Write and End callbacks are lost (never run): a Write sent while the close is
// on its way registers its callback, then onClose wipes writeCbs (netapi/socket_events.go) or
// the message reaches the stopped actor; End's callback only runs at 'finish', never when the
// socket is destroyed first (Node runs it once, with the error). With Shutdown racing, a
// Connect on the closed socket after Shutdown began (refused: the runtime is closed) still
// replaces closedSig with a channel nothing closes, so Shutdown waits for its whole context
// and returns context.DeadlineExceeded instead of nil (Socket.Connect, Runtime.waitClosed).
func TestAttackSocketMethodsRaceDestroy(t *testing.T) {
	for _, finale := range []string{"destroy", "shutdown"} {
		t.Run(finale, func(t *testing.T) {
			eachRuntime(t, func(t *testing.T, opts []netapi.Option) {
				raceSocketMethods(t, opts, finale == "shutdown")
			})
		})
	}
}

func raceSocketMethods(t *testing.T, opts []netapi.Option, withShutdown bool) {
	const (
		goroutines = 8
		opsEach    = 60
	)
	rt := attackRuntime(t, opts)
	srv, port := echoServer(t, rt, netapi.ServerOptions{})
	calls := newTally()

	c := rt.NewSocket(netapi.SocketOptions{})
	var closes atomic.Int64
	c.OnClose(func(bool) { closes.Add(1); calls.hit("close listener", nil) })
	c.OnError(func(error) {})
	c.OnData(func([]byte) {})
	connected := make(chan struct{})
	c.ConnectPort(port, "127.0.0.1", func() { close(connected) })
	_, ok := within(connected, wait)
	require.True(t, ok, "no connect")

	// Only Connect gives the socket a new actor: Connect calls are serialised with one another
	// (and nothing else is), so the actors the socket had can be counted exactly.
	var connMu sync.Mutex
	lifetimes := 1
	big := make([]byte, 64<<10)
	small := []byte("0123456789abcdef")

	start := make(chan struct{})
	var wg sync.WaitGroup
	panics := make(chan any, goroutines+1)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					panics <- r
				}
			}()
			<-start
			for i := range opsEach {
				switch (g*7 + i) % 13 {
				case 0, 1, 2:
					c.Write(small, calls.errFn(fmt.Sprintf("g%d write %d", g, i)))
				case 3:
					c.Write(big, calls.errFn(fmt.Sprintf("g%d write %d", g, i)))
				case 4:
					c.End([]byte("e"), endFn(calls.fn(fmt.Sprintf("g%d end %d", g, i))))
				case 5:
					c.Pause()
				case 6:
					c.Resume()
				case 7:
					c.SetTimeout(time.Duration(1+i%3)*time.Millisecond, nil)
				case 8:
					c.SetKeepAlive(i%2 == 0, time.Second)
					c.SetNoDelay(i%2 == 1)
				case 9:
					c.Destroy()
				case 10:
					c.Unref()
					c.Ref()
				case 11:
					connMu.Lock()
					before := c.PID()
					c.ConnectPort(port, "127.0.0.1", nil)
					if after := c.PID(); after != nil && !samePID(before, after) {
						lifetimes++
					}
					connMu.Unlock()
				case 12:
					c.Resume()
					c.Write(nil, calls.errFn(fmt.Sprintf("g%d write %d", g, i)))
				}
			}
		}()
	}
	var shutdownErr chan error
	if withShutdown {
		shutdownErr = make(chan error, 1)
		go func() {
			<-start
			shutdownErr <- shutdownWithin(rt, wait)
		}()
	}
	go func() { <-start; c.Destroy() }()
	close(start)

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	_, ok = within(done, wait)
	require.True(t, ok, "the racing goroutines did not finish: a method blocked")
	select {
	case p := <-panics:
		t.Fatalf("a socket method panicked: %v", p)
	default:
	}

	if withShutdown {
		err, ok := within(shutdownErr, wait+20*time.Second)
		require.True(t, ok, "Shutdown hung")
		assert.NoError(t, err, "Shutdown")
		connMu.Lock()
		n := lifetimes
		connMu.Unlock()
		assert.True(t, calls.waitFor(settle, func() bool { return closes.Load() >= int64(n) }),
			"the socket had %d connections, %d closes came", n, closes.Load())
		assert.NoError(t, waitWithin(rt, settle), "Wait after Shutdown")
	} else {
		// Everything that raced is done: a last Destroy closes what a late Connect opened.
		c.Ref()
		c.Destroy()
		connMu.Lock()
		n := lifetimes
		connMu.Unlock()
		assert.True(t, calls.waitFor(wait, func() bool { return closes.Load() >= int64(n) }),
			"the socket had %d connections, only %d closes came", n, closes.Load())
		srvClosed := make(chan error, 1)
		waited := waitAsync(rt, wait, func() string {
			return fmt.Sprintf("closes=%d destroyed=%v serverClosed=%v", closes.Load(), c.Destroyed(), len(srvClosed) == 1)
		})
		srv.Close(func(err error) { srvClosed <- err })
		res, ok := within(waited, wait+time.Second)
		require.True(t, ok, "Wait hung")
		assert.NoError(t, res.err, "Wait")
		assert.Equal(t, fmt.Sprintf("closes=%d destroyed=true serverClosed=true", n), res.probe,
			"what had happened when Wait returned")
	}
	calls.check(t, "callbacks")
	connMu.Lock()
	n := lifetimes
	connMu.Unlock()
	assert.Equal(t, int64(n), closes.Load(), "one close per connection the socket made")
	t.Logf("%d connections, write errors by code %v, end callbacks run %d", n, calls.codes("g"), endsRun(calls))
}

func samePID(a, b *actor.PID) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(b)
}

func endsRun(c *tally) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, name := range c.order {
		if kindOf(name) == "end" && c.calls[name] > 0 {
			n++
		}
	}
	return n
}
