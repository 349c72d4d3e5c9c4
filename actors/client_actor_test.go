package actors_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

// Every Write sent to a client actor with a Token gets exactly one WrittenEvent, also when
// the connection is lost while the Writes stream in: the ones the client forwards to its
// socket between the socket's close and the client's handling of its CloseEvent must not
// vanish.
func TestClientWritesRacingALostConnectionAllSettle(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	retry := supervisor.Budget{MaxRestarts: 100, Window: time.Minute, MinBackoff: time.Minute, MaxBackoff: time.Minute}
	c, err := actors.SpawnClient(e.tree, actors.ClientConfig{Owner: p.pid, Retry: retry,
		Connect: messages.Connect{Port: port, Host: "127.0.0.1"}})
	require.NoError(t, err)
	peer := acceptOne(t, ln)
	skipTo[*messages.ClientUpEvent](p)
	const n = 5000
	go func() { // the peer crashes once the stream is under way
		b := make([]byte, 64)
		_, _ = peer.Read(b)
		_ = peer.SetLinger(0)
		_ = peer.Close()
	}()
	for i := range n {
		e.send(c, &messages.Write{Data: []byte("0123456789abcdef"), Token: i})
	}
	settled := map[any]int{}
	settleUntil[*messages.ClientDownEvent](p, settled)
	e.send(c, &messages.Destroy{}) // settles what waits while down; ClientCloseEvent last
	settleUntil[*messages.ClientCloseEvent](p, settled)
	assert.Zero(t, unsettled(t, settled, n), "Writes with a Token that never got a WrittenEvent (of %d)", n)
}

// settleUntil counts the WrittenEvents p gets, by token, until an event of type T.
func settleUntil[T any](p *probe, settled map[any]int) {
	p.t.Helper()
	for {
		switch ev := p.next().(type) {
		case *messages.WrittenEvent:
			settled[ev.Token]++
		case T:
			return
		}
	}
}

// unsettled checks that none of tokens 0..n-1 was settled twice and returns how many were
// not settled at all.
func unsettled(t *testing.T, settled map[any]int, n int) int {
	t.Helper()
	missing := 0
	for i := range n {
		assert.LessOrEqual(t, settled[i], 1, "token %d settled twice", i)
		if settled[i] == 0 {
			missing++
		}
	}
	return missing
}

// On a plain socket of the actor face: Writes with a Token that reached the socket's mailbox
// before the peer reset the connection each get one WrittenEvent (with an error) before the
// CloseEvent, and Writes sent after the socket closed reach no one but give their lease
// back: a lent buffer of another socket is never held by a Write nobody will make.
func TestSocketWritesQueuedAtCloseAllSettle(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)
	const n = 5000
	reset := make(chan struct{})
	go func() {
		b := make([]byte, 64)
		_, _ = peer.Read(b)
		<-reset
		_ = peer.SetLinger(0)
		_ = peer.Close()
	}()
	for i := range n {
		e.send(c, &messages.Write{Data: []byte("0123456789abcdef"), Token: i})
	}
	close(reset) // every Write is in the socket's mailbox, or handled, by now
	settled := map[any]int{}
	settleUntil[*messages.CloseEvent](p, settled)
	assert.Zero(t, unsettled(t, settled, n), "Writes with a Token that never got a WrittenEvent before CloseEvent (of %d)", n)
	var released atomic.Int32
	const late = 100
	for i := range late {
		lease := messages.NewLease(func() { released.Add(1) }).Lend()
		e.send(c, &messages.Write{Data: []byte("late"), Token: n + i, Lease: lease})
	}
	require.Eventually(t, func() bool { return released.Load() == late }, wait, time.Millisecond,
		"leases of Writes sent after the close given back")
	p.quiet(50 * time.Millisecond) // nothing after CloseEvent
}

// A FullEvent the client forwarded from its socket owes a DrainEvent (an owner that pauses
// on Full resumes on Drain). When the connection is lost before it drained and the client
// comes back writable, the DrainEvent must still come.
func TestClientDrainOwedAcrossReconnect(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	retry := supervisor.Budget{MaxRestarts: 100, Window: time.Minute, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
	c, err := actors.SpawnClient(e.tree, actors.ClientConfig{Owner: p.pid, Retry: retry,
		Connect: messages.Connect{Port: port, Host: "127.0.0.1"}, Socket: actors.SocketConfig{HighWaterMark: 1024}})
	require.NoError(t, err)
	peer := acceptOne(t, ln)
	skipTo[*messages.ClientUpEvent](p)
	e.send(c, &messages.Write{Data: make([]byte, 8<<20)}) // the peer does not read
	skipTo[*messages.FullEvent](p)
	require.NoError(t, peer.SetLinger(0))
	require.NoError(t, peer.Close())
	skipTo[*messages.ClientDownEvent](p)
	peer2 := acceptOne(t, ln)
	defer peer2.Close()
	skipTo[*messages.ClientUpEvent](p)
	e.send(c, &messages.Write{Data: []byte("x"), Token: "x"})
	drained := false
	for {
		switch ev := p.next().(type) {
		case *messages.DrainEvent:
			drained = true
			continue
		case *messages.WrittenEvent:
			if ev.Token != "x" {
				continue
			}
			require.NoError(t, ev.Err)
		default:
			continue
		}
		break
	}
	assert.True(t, drained, "FullEvent, a new connection, a write handed over: and no DrainEvent")
	e.send(c, &messages.Destroy{})
	skipTo[*messages.ClientCloseEvent](p)
}

// As for a socket (TestOwnerWritesBeforeAutomaticEnd): a client's owner that writes while it
// handles EndEvent gets its Write out before the automatic FIN, as in Node's 'end' listener.
// The client answers the socket's EndEvent request itself, as soon as it forwarded it, so
// the socket ends before the owner has seen the event.
func TestClientOwnerWritesBeforeAutomaticEnd(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	written := make(chan error, 1)
	var client *actor.PID
	ready := make(chan struct{})
	owner := e.sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *messages.EndEvent:
			<-ready
			ctx.Send(client, &messages.Write{Data: []byte("bye"), Token: "bye"})
		case *messages.WrittenEvent:
			written <- m.Err
		}
	}))
	c, err := actors.SpawnClient(e.tree, actors.ClientConfig{Owner: owner,
		Retry:   supervisor.Budget{MaxRestarts: 10, MinBackoff: time.Minute, MaxBackoff: time.Minute},
		Connect: messages.Connect{Port: port, Host: "127.0.0.1"}})
	require.NoError(t, err)
	client = c
	close(ready)
	peer := acceptOne(t, ln)
	require.NoError(t, peer.CloseWrite())
	assert.Equal(t, "bye", string(readAll(t, peer)), "the owner's Write in its 'end' handler, before the FIN")
	e.send(c, &messages.Destroy{})
	select {
	case err := <-written:
		assert.NoError(t, err)
	case <-time.After(wait):
		t.Error("no WrittenEvent for the Write")
	}
}
