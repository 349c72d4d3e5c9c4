package actors_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

// wait bounds every wait on an event: far above what any step needs, so that only a hang
// fails a test on a slow machine.
const wait = 10 * time.Second

// env is one test's actor system and tree, stopped at the end of the test.
type env struct {
	t    *testing.T
	sys  *actor.ActorSystem
	tree *supervisor.Tree
}

func newEnv(t *testing.T) *env {
	t.Helper()
	sys := supervisor.NewSystem(nil)
	e := &env{t: t, sys: sys, tree: supervisor.NewTree(sys, nil)}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		require.NoError(t, e.tree.Stop(ctx))
		sys.Shutdown()
	})
	return e
}

// probe is an owner actor that hands every event it receives to the test, in order.
type probe struct {
	t      *testing.T
	pid    *actor.PID
	events chan any
}

func (e *env) probe() *probe {
	p := &probe{t: e.t, events: make(chan any, 100000)}
	p.pid = e.sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case actor.SystemMessage, actor.AutoReceiveMessage:
			return
		}
		p.events <- ctx.Message()
	}))
	return p
}

// next returns the next event.
func (p *probe) next() any {
	p.t.Helper()
	select {
	case ev := <-p.events:
		return ev
	case <-time.After(wait):
		p.t.Fatalf("no event within %v", wait)
		return nil
	}
}

// expect returns the next event, which must be a T.
func expect[T any](p *probe) T {
	p.t.Helper()
	ev := p.next()
	v, ok := ev.(T)
	if !ok {
		var want T
		p.t.Fatalf("got event %T %+v, want %T", ev, ev, want)
	}
	return v
}

// skipTo drops events until one of type T arrives, and returns it.
func skipTo[T any](p *probe) T {
	p.t.Helper()
	for {
		if v, ok := p.next().(T); ok {
			return v
		}
	}
}

// quiet asserts that no event arrives for d.
func (p *probe) quiet(d time.Duration) {
	p.t.Helper()
	select {
	case ev := <-p.events:
		p.t.Fatalf("unexpected event %T %+v", ev, ev)
	case <-time.After(d):
	}
}

func (e *env) send(pid *actor.PID, msg any) { e.sys.Root.Send(pid, msg) }

// server spawns a listening server on 127.0.0.1 owned by p and returns it with its port.
func (e *env) server(p *probe, cfg actors.ServerConfig) (*actor.PID, int) {
	e.t.Helper()
	cfg.Owner = p.pid
	pid, err := actors.SpawnServer(e.tree, cfg)
	require.NoError(e.t, err)
	e.send(pid, &messages.Listen{Host: "127.0.0.1"})
	ev := expect[*messages.ListeningEvent](p)
	require.NotZero(e.t, ev.Addr.Port)
	return pid, ev.Addr.Port
}

// socket spawns a socket owned by p, not connected.
func (e *env) socket(p *probe, cfg actors.SocketConfig) *actor.PID {
	e.t.Helper()
	cfg.Owner = p.pid
	pid, err := actors.SpawnSocket(e.tree, cfg)
	require.NoError(e.t, err)
	return pid
}

// client spawns a socket owned by p and connects it to port on 127.0.0.1.
func (e *env) client(p *probe, cfg actors.SocketConfig, port int) *actor.PID {
	e.t.Helper()
	pid := e.socket(p, cfg)
	e.send(pid, &messages.Connect{Port: port, Host: "127.0.0.1"})
	return pid
}

// Plain Go peers on loopback, from the shared test kit.
var (
	rawListener = func(t *testing.T) (net.Listener, int) { return testkit.Listener(t) }
	acceptOne   = func(t *testing.T, ln net.Listener) *net.TCPConn { return testkit.Accept(t, ln) }
)

func seq(n int) []byte { return []byte(fmt.Sprintf("%08d", n)) }

func readAll(t *testing.T, c net.Conn) []byte {
	t.Helper()
	b, err := io.ReadAll(c)
	require.NoError(t, err)
	return b
}
