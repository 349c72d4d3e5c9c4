package actors_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// replies is what a server writes for one request: n small replies.
func replies(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "reply %02d\n", i)
	}
	return b.Bytes()
}

// onConnect connects a socket with out as its outbox to a plain Go listener on loopback and
// runs fn in its Handler's connect callback; it returns the peer's side.
func (e *env) onConnect(out *actors.Outbox, fn func()) net.Conn {
	e.t.Helper()
	ln, port := rawListener(e.t)
	pid, err := actors.SpawnSocket(e.tree, actors.SocketConfig{Outbox: out, Handler: func(ev any) {
		if _, ok := ev.(*messages.ConnectEvent); ok {
			fn()
		}
	}})
	require.NoError(e.t, err)
	e.send(pid, &messages.Connect{Port: port, Host: "127.0.0.1"})
	return acceptOne(e.t, ln)
}

// The writes a Handler makes in one callback go out together, with one system call, when the
// callback returns; each Write still reports Node's result.
func TestWritesOfOneCallbackGoOutTogether(t *testing.T) {
	e := newEnv(t)
	out := actors.NewOutbox(0)
	results := make(chan []bool, 1)
	peer := e.onConnect(out, func() {
		var oks []bool
		for _, line := range bytes.SplitAfter(replies(16), []byte("\n"))[:16] {
			ok, err := out.Write(line, nil, nil)
			assert.NoError(t, err)
			oks = append(oks, ok)
		}
		results <- oks
	})
	want := replies(16)
	got := make([]byte, len(want))
	_, err := io.ReadFull(peer, got)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
	assert.NotContains(t, <-results, false)
	assert.Equal(t, 1, actors.WriteCalls(out), "16 writes in one callback, one system call")

	// Outside a loop (this goroutine), each write goes to the kernel before Write returns.
	for range 3 {
		_, err := out.Write([]byte("x"), nil, nil)
		require.NoError(t, err)
	}
	assert.Equal(t, 4, actors.WriteCalls(out))
	_, err = io.ReadFull(peer, got[:3])
	require.NoError(t, err)
}

// Writes gathered in one callback are handed over as soon as they reach the high-water mark,
// so that Write returns what Node's would (true: Node had written each at once).
func TestGatheredWritesGoOutAtTheHighWaterMark(t *testing.T) {
	e := newEnv(t)
	out := actors.NewOutbox(64)
	results := make(chan []bool, 1)
	peer := e.onConnect(out, func() {
		var oks []bool
		for range 16 {
			ok, _ := out.Write([]byte("0123456789"), nil, nil)
			oks = append(oks, ok)
		}
		results <- oks
	})
	got := make([]byte, 160)
	_, err := io.ReadFull(peer, got)
	require.NoError(t, err)
	assert.Equal(t, string(bytes.Repeat([]byte("0123456789"), 16)), string(got))
	assert.NotContains(t, <-results, false)
	// At 70 bytes (write 7), again at write 14, and the last two when the callback returned.
	assert.Equal(t, 3, actors.WriteCalls(out))
}

// On the actor face, the Writes an owner on the socket's loop sends in one turn reach the
// socket in one turn of its own, and go out with one writev.
func TestWritesOfOneTurnGoOutTogether(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	loop := actors.NewLoop()
	out := actors.NewOutbox(0)
	lines := bytes.SplitAfter(replies(16), []byte("\n"))[:16]
	owner := e.sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if ev, ok := ctx.Message().(*messages.ConnectEvent); ok {
			for i, line := range lines {
				ctx.Send(ev.Socket, &messages.Write{Data: line, Token: i})
			}
		}
	}, actor.WithMailbox(loop.Mailbox())))
	pid, err := actors.SpawnSocket(e.tree, actors.SocketConfig{Owner: owner, Outbox: out, Loop: loop})
	require.NoError(t, err)
	e.send(pid, &messages.Connect{Port: port, Host: "127.0.0.1"})
	peer := acceptOne(t, ln)
	want := replies(16)
	got := make([]byte, len(want))
	_, err = io.ReadFull(peer, got)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
	assert.Equal(t, 1, actors.WriteCalls(out))
}

// Cork holds writes (Buffered counts them) until as many Uncorks; the last hands them over
// with one system call. End uncorks.
func TestCorkUncork(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	out := actors.NewOutbox(0)
	p := e.probe()
	pid := e.client(p, actors.SocketConfig{Outbox: out}, port)
	expect[*messages.ConnectEvent](p)
	peer := acceptOne(t, ln)

	out.Cork()
	e.send(pid, &messages.Cork{}) // the actor face's Cork: corked twice, then
	_, err := out.Write([]byte("ab"), nil, nil)
	require.NoError(t, err)
	e.send(pid, &messages.Write{Data: []byte("cd"), Token: "cd"})
	_, err = e.sys.Root.RequestFuture(pid, &messages.Inspect{}, wait).Result() // both handled
	require.NoError(t, err)
	assert.Equal(t, 0, actors.WriteCalls(out), "nothing written while corked")
	assert.Equal(t, 2, out.Corked())
	assert.True(t, out.Uncork())
	assert.Equal(t, 1, out.Corked())
	e.send(pid, &messages.Uncork{})
	got := make([]byte, 4)
	_, err = io.ReadFull(peer, got)
	require.NoError(t, err)
	assert.Equal(t, "abcd", string(got))
	assert.Equal(t, "cd", expect[*messages.WrittenEvent](p).Token)
	assert.Equal(t, 1, actors.WriteCalls(out), "held writes, one system call")
	assert.False(t, out.Uncork(), "an Uncork with no Cork does nothing")

	out.Cork()
	_, err = out.Write([]byte("tail"), nil, nil)
	require.NoError(t, err)
	e.send(pid, &messages.End{})
	assert.Equal(t, "tail", string(readAll(t, peer)), "End uncorks, then the FIN")
	assert.Equal(t, 0, out.Corked())
}

// Cork after End holds nothing back (Node's cork() after end()); a Cork keeps no write that
// was made before it in the same callback.
func TestCorkAfterEndAndWritesBeforeCork(t *testing.T) {
	e := newEnv(t)
	out := actors.NewOutbox(0)
	peer := e.onConnect(out, func() {
		_, _ = out.Write([]byte("before "), nil, nil)
		out.Cork()
		_, _ = out.Write([]byte("corked "), nil, nil)
		out.End()
		out.Cork()
	})
	got := make([]byte, len("before "))
	_, err := io.ReadFull(peer, got)
	require.NoError(t, err)
	assert.Equal(t, "before ", string(got))
	assert.Equal(t, "corked ", string(readAll(t, peer)), "End uncorked, and the later Cork did nothing")
	assert.Equal(t, 0, out.Corked())
}

// A write gathered in the socket's own turn is handed over before the turn reports the
// socket's activity: a paused socket whose writes are all out reports idle.
func TestGatheredWriteLeavesActivityIdle(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	reports := make(chan bool, 100)
	connected := make(chan struct{}, 1)
	pid, err := actors.SpawnSocket(e.tree, actors.SocketConfig{Paused: true,
		Activity: func(on bool) { reports <- on },
		Handler: func(ev any) {
			if _, ok := ev.(*messages.ConnectEvent); ok {
				connected <- struct{}{}
			}
		}})
	require.NoError(t, err)
	e.send(pid, &messages.Connect{Port: port, Host: "127.0.0.1"})
	peer := acceptOne(t, ln)
	<-connected
	_, err = e.sys.Root.RequestFuture(pid, &messages.Inspect{}, wait).Result()
	require.NoError(t, err)
	for len(reports) > 0 { // connecting, connected: before the write
		<-reports
	}
	e.send(pid, &messages.Write{Data: []byte("x")})
	_, err = io.ReadFull(peer, make([]byte, 1))
	require.NoError(t, err)
	_, err = e.sys.Root.RequestFuture(pid, &messages.Inspect{}, wait).Result() // settled since
	require.NoError(t, err)
	// (The Inspect's own turn would report idle again: the write's turn must not have said
	// busy, with nothing to come that says otherwise.)
	for len(reports) > 0 {
		assert.False(t, <-reports, "the write's turn reported the socket busy after handing the write over")
	}
}
