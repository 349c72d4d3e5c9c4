package node

// Helpers for the ports of Node's own test/parallel/test-net-*.js tests (ported_*_test.go).
//
// A port runs its scenario the way Node runs the script: it sets everything up, then waits
// until nothing is open any more (rt.Wait, Node's loop running dry), then checks what its
// process.on('exit') checked. Node's common.mustCall(fn, n) is a counter checked exactly at
// the end; values seen inside callbacks are recorded there and asserted afterwards, from the
// test's goroutine.

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// portedWait bounds every wait of a port: far above what any step needs.
const portedWait = 20 * time.Second

// eachRuntime runs body twice, as subtests: on a default runtime and on one with
// netapi.WithEventLoop (Node's model). Each runtime is shut down when its subtest ends.
func eachRuntime(t *testing.T, body func(t *testing.T, rt *netapi.Runtime)) {
	t.Helper()
	runtimes := []struct {
		name string
		opts []netapi.Option
	}{
		{"default", nil},
		{"eventloop", []netapi.Option{netapi.WithEventLoop()}},
	}
	for _, r := range runtimes {
		t.Run(r.name, func(t *testing.T) { body(t, testkit.Runtime(t, r.opts...)) })
	}
}

// waitDone waits until nothing of rt is open any more, as Node's process exits when its loop
// runs dry; it fails the test if that does not happen within portedWait.
func waitDone(t *testing.T, rt *netapi.Runtime) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), portedWait)
	defer cancel()
	require.NoError(t, rt.Wait(ctx), "the runtime never ran dry (Node's process would not exit)")
}

// listenOn starts srv on host, port 0, and returns its port once it listens.
func listenOn(t *testing.T, srv *netapi.Server, host string) int {
	t.Helper()
	ready := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Port: 0, Host: host}, func() { close(ready) })
	testkit.Recv(t, ready)
	return srv.Address().Port
}

// counter counts calls of a callback (Node's common.mustCall / mustNotCall).
type counter struct{ n atomic.Int64 }

func (c *counter) inc()       { c.n.Add(1) }
func (c *counter) get() int64 { return c.n.Load() }

// record keeps values seen in callbacks, in order, for assertions after the run.
type record[T any] struct {
	mu   sync.Mutex
	list []T
}

func (r *record[T]) add(v T) {
	r.mu.Lock()
	r.list = append(r.list, v)
	r.mu.Unlock()
}

func (r *record[T]) all() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.list...)
}

// codes gives Node's err.code of each error ("none" for nil).
func codes(errs []error) []string {
	out := make([]string, len(errs))
	for i, err := range errs {
		out[i] = code(err)
	}
	return out
}

// signal is a channel closed once, from any goroutine.
type signal struct {
	once sync.Once
	ch   chan struct{}
}

func newSignal() *signal { return &signal{ch: make(chan struct{})} }

func (s *signal) fire() { s.once.Do(func() { close(s.ch) }) }

// settle lets what rt's actors have been asked so far happen, and its callbacks run: every
// actor answers a snapshot (it handles messages in order, so it has handled what was sent to
// it before), then a timer's callback runs where callbacks run (on the event loop, after what
// the actors posted to it). Used where Node's test checks that nothing happens.
func settle(t *testing.T, rt *netapi.Runtime) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), portedWait)
	defer cancel()
	_, err := rt.Tree().Snapshot(ctx)
	require.NoError(t, err)
	done := make(chan struct{})
	rt.AfterFunc(0, func() { close(done) })
	testkit.Recv(t, done)
}

// later holds a value set after a callback that needs it may already run: Node's `this`, for
// a socket returned by rt.Connect whose connect callback needs the socket. get waits for set,
// at most portedWait, and returns the zero value if it never comes.
type later[T any] struct {
	once sync.Once
	ch   chan struct{}
	v    T
}

func newLater[T any]() *later[T] { return &later[T]{ch: make(chan struct{})} }

func (l *later[T]) set(v T) { l.once.Do(func() { l.v = v; close(l.ch) }) }

func (l *later[T]) get() T {
	select {
	case <-l.ch:
		return l.v
	case <-time.After(portedWait):
		var zero T
		return zero
	}
}

// freePort returns a loopback port that nothing listens on.
func freePort(t *testing.T) int { return testkit.ClosedPort(t) }
