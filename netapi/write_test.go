package netapi_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/netapi"
)

// Write tries the kernel before it returns, so its result is Node's: 64 KiB written in one
// callback to a peer that reads nothing fit in the kernel's buffers, and every Write says so
// (Node prints "true true true true 0" for the same script).
func TestWriteReturnValueCountsWhatTheKernelTook(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	type result struct {
		oks      []bool
		buffered int64
	}
	got := make(chan result, 1)
	c := rt.NewSocket(netapi.SocketOptions{})
	c.ConnectPort(port, "127.0.0.1", func() {
		var r result
		for range 4 {
			r.oks = append(r.oks, c.Write(make([]byte, 16<<10), nil))
		}
		r.buffered = c.BufferSize()
		got <- r
	})
	peer := acceptRaw(t, ln)
	defer peer.Close()
	r := recv(t, got)
	assert.Equal(t, []bool{true, true, true, true}, r.oks)
	assert.Zero(t, r.buffered, "bytes left queued")
	c.Destroy()
}

// After Destroy, a Write's callback runs exactly once, with ERR_STREAM_DESTROYED, as in
// Node; so does that of a write queued when Destroy came. Many rounds, since the write races
// the actor's close.
func TestWriteCallbackAfterDestroyRunsOnce(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	for round := range 50 {
		l := newLog()
		c := rt.ConnectPort(port, "127.0.0.1", nil)
		c.OnClose(func(bool) { l.Add("close") })
		peer := acceptRaw(t, ln)
		c.Destroy()
		c.WriteString("late", func(err error) { l.Add("cb " + netapi.Code(err)) })
		l.WaitFor(t, "cb ERR_STREAM_DESTROYED")
		got := l.WaitFor(t, "close")
		require.ElementsMatch(t, []string{"cb ERR_STREAM_DESTROYED", "close"}, got, "round %d", round)
		peer.Close()
	}
}

// A Write after End gets its callback with the error, then 'error', then close(true): Node's
// order. Inside an 'end' listener, where the peer ended first, the error is EPIPE, as in Node.
func TestWriteAfterEndOrder(t *testing.T) {
	for _, inEnd := range []bool{false, true} {
		code := "ERR_STREAM_WRITE_AFTER_END"
		if inEnd {
			code = "EPIPE"
		}
		t.Run(fmt.Sprintf("inEndListener=%v", inEnd), func(t *testing.T) {
			rt := newRuntime(t)
			ln, port := rawListener(t)
			l := newLog()
			c := rt.NewSocket(netapi.SocketOptions{})
			c.OnError(func(err error) { l.Add("error " + netapi.Code(err)) })
			c.OnClose(func(h bool) { l.Add(fmt.Sprintf("close %v", h)) })
			late := func() { // in a callback, as Node's code always is
				c.End(nil, nil)
				ok := c.WriteString("late", func(err error) { l.Add("cb " + netapi.Code(err)) })
				l.Add(fmt.Sprintf("write %v", ok))
			}
			if inEnd {
				c.OnData(func([]byte) {})
				c.OnEnd(late)
				c.ConnectPort(port, "127.0.0.1", nil)
			} else {
				c.ConnectPort(port, "127.0.0.1", late)
			}
			peer := acceptRaw(t, ln)
			defer peer.Close()
			if inEnd {
				require.NoError(t, peer.CloseWrite())
			}
			assert.Equal(t, []string{"write false", "cb " + code, "error " + code, "close true"},
				l.WaitFor(t, "close true"))
		})
	}
}
